# SPDX-License-Identifier: GPL-2.0 OR MIT
# zsh zsh_answers.zsh FPATH-DIR QUERIES-FILE: for each line of QUERIES-FILE,
# the words zsh's completion system offers at its end, one line
# "LINE<TAB>WORD" per word (check.sh's format). An interactive zsh without
# any rc file runs in a pseudo-terminal (zsh/zpty) with compinit over
# FPATH-DIR first; each line is typed, TAB pressed, and every word that
# reaches compadd is printed by a wrapper around it. A key bound to a
# widget that prints a marker says the completion is over. The markers
# are written split ("<do""ne>") so that the echo of the commands that
# set them up is not taken for them. _knockctl_module_loaded says yes
# (check.sh's stand-in knockctl answers the module's dumps).
zmodload zsh/zpty || exit 1
dir=$1
queries=$2

zpty z zsh -f -i
zpty -w z "PROMPT=''; RPROMPT=''; fpath=(${(q)dir} \$fpath)"
zpty -w z 'autoload -Uz compinit; compinit -u -D; setopt nobeep'
zpty -w z 'zstyle ":completion:*" menu no; zstyle ":completion:*" list-prompt ""'
zpty -w z '_knockctl_module_loaded() { true }'
zpty -w z 'compadd() {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
	local -a hits; builtin compadd -A hits "$@"; (( $#hits )) || return 1
	local h; for h in $hits; do print -r -- "<h""it>$h</h""it>"; done
	builtin compadd "$@"
}'
# ^B: not the prefix of other bindings, so zle does not wait for more keys.
zpty -w z '_answers_done() { print -r -- "<do""ne>" }; zle -N _answers_done; bindkey "^B" _answers_done'
zpty -w z 'print -r -- "<rea""dy>"'
out=""
while zpty -r z chunk; do
	out+=$chunk
	[[ $out == *"<ready>"* ]] && break
done

while IFS= read -r line; do
	zpty -w -n z "$line"$'\t\x02'
	out=""
	while zpty -r z chunk; do
		out+=$chunk
		[[ $out == *"<done>"* ]] && break
	done
	for hit in ${(f)"$(print -r -- $out | grep -o '<hit>[^<]*</hit>')"}; do
		hit=${hit#<hit>}
		print -r -- "$line"$'\t'"${hit%</hit>}"
	done
	# ^U: the next line starts empty.
	zpty -w -n z $'\x15'
done < $queries
zpty -d z
