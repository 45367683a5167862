#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# shellcheck disable=SC2015 # "A && ok || fail": ok never fails
#
# tests/completion/check.sh KNOCKCTL: the shell completions of packaging/
# against the knockctl they complete (a ctest test: make unit, make
# unit-asan). In a few seconds:
#   - each file parses: bash -n, zsh -n, fish -n;
#   - every subcommand of knockctl --help (and of guard and set) and every
#     option of each one's --help is offered, each shell being asked as it
#     asks for a user: bash's _knockctl with COMP_WORDS, zsh's completion
#     system in a pseudo-terminal (zsh_answers.zsh), fish's complete -C. A
#     new subcommand or option without completion fails here;
#   - profile names for knock and sequence come from knockctl profiles
#     --names (a temporary $HOME and $XDG_CONFIG_HOME, and --profile FILE);
#   - guards, granted addresses and services, and locked-out sources come
#     from the module's --json dumps (a stand-in knockctl prints them; the
#     real one answers everything else).
# Needs bash-completion, zsh and fish (make deps installs them).
# Ends with "completion: N passed, N failed"; exit 0 only if none failed.
set -uo pipefail

knockctl=$(realpath "${1:?usage: check.sh KNOCKCTL}")
top=$(cd "$(dirname "$0")/../.." && pwd)
bash_file=$top/packaging/knockctl.bash-completion
zsh_file=$top/packaging/knockctl.zsh-completion
fish_file=$top/packaging/knockctl.fish
bash_completion=/usr/share/bash-completion/bash_completion

passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

for tool in zsh fish; do
	command -v $tool > /dev/null || { echo "completion: $tool missing (make deps)"; exit 1; }
done
[[ -r $bash_completion ]] || { echo "completion: bash-completion missing (make deps)"; exit 1; }

tmp=$(mktemp -d /tmp/knockctl-completion-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# knockctl on PATH for the completions: the real one, except for the
# module's dumps, which a stand-in prints in knockctl's own JSON layout
# (nlohmann's dump(2): one key per line, keys sorted).
mkdir -p "$tmp/bin" "$tmp/home/.config/nfknock" "$tmp/xdg/nfknock"
cat > "$tmp/bin/knockctl" << EOF
#!/bin/bash
case "\$*" in
"guard list --json")
	printf '[\n  {\n    "port": 22,\n    "port_end": 22,\n    "proto": "tcp",\n    "service": "tcp/22"\n  },\n  {\n    "port": 8000,\n    "port_end": 8100,\n    "proto": "tcp",\n    "service": "tcp/8000-8100"\n  }\n]\n' ;;
"grants --json")
	printf '[\n  {\n    "address": "203.0.113.7",\n    "service": "tcp/22",\n    "user_name": null\n  },\n  {\n    "address": "2001:db8::1",\n    "service": "udp/53",\n    "user_name": "alice"\n  }\n]\n' ;;
"lockouts --json")
	printf '[\n  {\n    "failures": 0,\n    "locked_ms": 9500,\n    "prefix_len": 32,\n    "source": "10.0.0.3"\n  }\n]\n' ;;
*) exec "$knockctl" "\$@" ;;
esac
EOF
chmod +x "$tmp/bin/knockctl"
export PATH=$tmp/bin:$PATH
export HOME=$tmp/home
unset XDG_CONFIG_HOME
printf '[[server]]\nname = "home"\n[[server]]\naddress = "192.0.2.1"\n' \
	> "$tmp/home/.config/nfknock/client.toml"
printf '[[server]]\nname = "xdg-only"\n' > "$tmp/xdg/nfknock/client.toml"
printf '[[server]]\nname = "given"\n' > "$tmp/given.toml"
cp "$tmp/given.toml" "$HOME/given.toml"

# --- syntax ------------------------------------------------------------
bash -n "$bash_file" && ok || fail "bash -n $bash_file"
zsh -n "$zsh_file" && ok || fail "zsh -n $zsh_file"
fish -n "$fish_file" && ok || fail "fish -n $fish_file"

# --- what knockctl has -------------------------------------------------
# help_words WORD...: what "knockctl WORD... --help" lists: "S NAME" for
# each subcommand ("Subcommands:"), "O OPTION" for each -x and --xxx at the
# start of an "Options:" line (-h is completed as --help).
help_words() {
	"$knockctl" "$@" --help | awk '
		/^Subcommands:/ { sect = "S"; next }
		/^Options:/ { sect = "O"; next }
		/^[^ ]/ { sect = "" }
		sect == "S" && NF { print "S", $1 }
		sect == "O" && $1 ~ /^-/ {
			n = split($1, o, ",")
			for (i = 1; i <= n; i++)
				if (o[i] ~ /^--?[A-Za-z0-9][-A-Za-z0-9]*$/ && o[i] != "-h")
					print "O", o[i]
		}'
}

# The commands, each one's subcommands, and each command path's options
# ("status", "guard add", ...). The --help of every command is asked for
# at once: an ASan knockctl takes a moment to start.
declare -A subs_of opts_of
top_cmds=()
top_opts=()
while read -r kind word; do
	case $kind in
	S) top_cmds+=("$word") ;;
	O) top_opts+=("$word") ;;
	esac
done < <(help_words)
((${#top_cmds[@]} >= 20)) && ok || fail "knockctl --help lists ${#top_cmds[@]} subcommands"
mkdir -p "$tmp/help"
for c in "${top_cmds[@]}"; do help_words "$c" > "$tmp/help/$c" & done
wait
for c in "${top_cmds[@]}"; do
	while read -r kind word; do
		case $kind in
		S) subs_of[$c]+="$word " ;;
		O) opts_of[$c]+="$word " ;;
		esac
	done < "$tmp/help/$c"
	for s in ${subs_of[$c]-}; do help_words "$c" "$s" > "$tmp/help/$c $s" & done
done
wait
paths=()
for c in "${top_cmds[@]}"; do
	if [[ -z ${subs_of[$c]-} ]]; then
		paths+=("$c")
		continue
	fi
	for s in ${subs_of[$c]}; do
		paths+=("$c $s")
		while read -r kind word; do
			[[ $kind == O ]] && opts_of["$c $s"]+="$word "
		done < "$tmp/help/$c $s"
	done
done

# --- asking the shells -------------------------------------------------
# Every command line to complete is a query; each shell answers all of
# them in one process (a shell's start is most of the time), one line
# "QUERY<TAB>WORD" per word it offers. A query ends where the cursor is: a
# trailing space means an empty word is being completed. Module dumps come
# from the stand-in, so _knockctl_module_loaded is made to say yes.
# bash_answers QUERIES-FILE: what _knockctl sets COMPREPLY to.
bash_answers() {
	bash -c '
		source "$1" && source "$2" || exit 1
		_knockctl_module_loaded() { true; }
		while IFS= read -r line; do
			read -ra COMP_WORDS <<< "$line"
			[[ $line == *" " ]] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_LINE=$line
			COMP_POINT=${#line}
			COMPREPLY=()
			_knockctl knockctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
			for w in "${COMPREPLY[@]}"; do printf "%s\t%s\n" "$line" "$w"; done
		done < "$3"
	' bash "$bash_completion" "$bash_file" "$1"
}

# fish_answers QUERIES-FILE: what complete -C offers (the word, not its
# description).
fish_answers() {
	fish --no-config -c "source '$fish_file'
		function __knockctl_module_loaded; true; end
		while read -l line
			for w in (complete -C \"\$line\")
				printf '%s\t%s\n' \"\$line\" (string split -f1 \t -- \$w)
			end
		end < '$1'"
}

# zsh_answers QUERIES-FILE: what zsh's completion system offers, asked
# through a pseudo-terminal (zsh_answers.zsh); the file installed as
# _knockctl in a directory of its own on $fpath.
mkdir -p "$tmp/zfunc"
cp "$zsh_file" "$tmp/zfunc/_knockctl"
zsh_answers() {
	timeout 60 zsh -f "$top/tests/completion/zsh_answers.zsh" "$tmp/zfunc" "$1"
}

# want LINE WORD: the shells must offer WORD for LINE.
queries=$tmp/queries
wanted=$tmp/wanted
: > "$queries"
: > "$wanted"
declare -A asked
want() {
	if [[ -z ${asked[$1]-} ]]; then
		asked[$1]=1
		printf '%s\n' "$1" >> "$queries"
	fi
	printf '%s\t%s\n' "$1" "$2" >> "$wanted"
}

# check SHELL ANSWERS WANTED: every wanted word offered.
check() {
	local line word
	local -A offered=()
	while IFS= read -r line; do offered[$line]=1; done < "$2"
	while IFS=$'\t' read -r line word; do
		if [[ -n ${offered[$line$'\t'$word]-} ]]; then
			ok
		else
			fail "$1: '$line' does not offer $word (offered: $(grep -F -- "$line"$'\t' "$2" |
				cut -f2 | tr '\n' ' '))"
		fi
	done < "$3"
}

for c in "${top_cmds[@]}"; do want "knockctl " "$c"; done
for o in "${top_opts[@]}"; do want "knockctl -" "$o"; done
want "knockctl -" --help
for c in "${top_cmds[@]}"; do
	for s in ${subs_of[$c]-}; do want "knockctl $c " "$s"; done
done
# Every option of every command path, offered after "-".
for p in "${paths[@]}"; do
	for o in ${opts_of[$p]-}; do want "knockctl $p -" "$o"; done
done
# Profile names (~/.config's file, or --profile FILE's) for knock HOST
# and sequence HOST.
want "knockctl knock " home
want "knockctl knock " 192.0.2.1
want "knockctl knock -4 " home
want "knockctl sequence " home
want "knockctl sequence home " tcp/22
want "knockctl knock --profile $tmp/given.toml " given
want "knockctl knock --profile=$tmp/given.toml " given
want "knockctl knock --profile ~/given.toml " given
# The module's state: guards (of a single port for grant), granted
# addresses and services, failing sources.
want "knockctl guard del " tcp/8000-8100
want "knockctl guard del " tcp/22
want "knockctl grant 10.0.0.1 " tcp/22
want "knockctl revoke " 2001:db8::1
want "knockctl revoke " 203.0.113.7
want "knockctl revoke 203.0.113.7 " udp/53
want "knockctl unlock " 10.0.0.3
want "knockctl set guard-action " reset
want "knockctl sequence home --window " current

# $XDG_CONFIG_HOME's file instead of ~/.config's.
xdg_queries=$tmp/xdg-queries
xdg_wanted=$tmp/xdg-wanted
printf 'knockctl knock \nknockctl sequence \n' > "$xdg_queries"
printf 'knockctl knock \txdg-only\nknockctl sequence \txdg-only\n' > "$xdg_wanted"

for sh in bash zsh fish; do
	${sh}_answers "$queries" > "$tmp/$sh.out"
	XDG_CONFIG_HOME=$tmp/xdg ${sh}_answers "$xdg_queries" > "$tmp/$sh-xdg.out"
	check $sh "$tmp/$sh.out" "$wanted"
	check $sh "$tmp/$sh-xdg.out" "$xdg_wanted"
done
# A range cannot be granted: not offered for grant's SERVICE.
for sh in bash zsh fish; do
	if grep -qF "knockctl grant 10.0.0.1 "$'\t'"tcp/8000-8100" "$tmp/$sh.out"; then
		fail "$sh: grant offers a range"
	else
		ok
	fi
done

# Without the module nothing is asked and nothing completed (the real
# check: no stand-in answers, and /sys/module/nfknock decides).
if [[ ! -d /sys/module/nfknock ]]; then
	got=$(bash -c 'source "$1"; source "$2"; _knockctl_module_values knockctl guard list service' \
		bash "$bash_completion" "$bash_file")
	[[ -z $got ]] && ok || fail "bash: module values without the module: $got"
fi

echo "completion: $passed passed, $failed failed"
((failed == 0))
