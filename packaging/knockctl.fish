# SPDX-License-Identifier: GPL-2.0 OR MIT
# fish completion for knockctl(8). Installed as
# /usr/share/fish/vendor_completions.d/knockctl.fish. It completes what the
# bash and zsh files beside it complete; tests/completion/check.sh asks
# each shell for every subcommand and option of knockctl --help.

# The positional words before the cursor (the command, its subcommand,
# its arguments), without the options and their values.
function __knockctl_words
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case '--*=*'
            case --out --key --profile --open --close --for --timeout --confirm --port --address --discover --probe --server-key --exec --count --gap --window
                set skip 1
            case '-*'
            case '*'
                echo $t
        end
    end
end

# True while the positional words so far are exactly ARGS: with none, the
# command is being typed; "guard del": guard del's SERVICE is.
function __knockctl_at
    set -l w (__knockctl_words)
    test "$w" = "$argv"
end

# True when the command is one of ARGS.
function __knockctl_in
    set -l w (__knockctl_words)
    set -q w[1]; and contains -- $w[1] $argv
end

# Words knockctl itself prints, quietly: profile names (profiles --names,
# with the --profile FILE of the command line), and from the module's
# --json dumps the values of one key. The module is asked only when it is
# loaded already (resolving its netlink family would load it) and answers
# only with CAP_NET_ADMIN; anything else completes nothing.
function __knockctl_profiles
    set -l tokens (commandline -opc)
    set -l profile
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --profile
                set -q tokens[(math $i + 1)]; and set profile --profile $tokens[(math $i + 1)]
            case '--profile=*'
                set profile --profile (string replace -- --profile= '' $tokens[$i])
        end
    end
    # The tokens as typed: a leading ~ is not expanded yet.
    set -q profile[2]; and set profile[2] (string replace -r '^~' $HOME -- $profile[2])
    knockctl profiles --names $profile 2>/dev/null
end

function __knockctl_module_loaded
    test -d /sys/module/nfknock
end

# __knockctl_module_values KEY COMMAND...: the values of KEY in
# COMMAND --json (no jq needed).
function __knockctl_module_values
    __knockctl_module_loaded; or return
    knockctl $argv[2..-1] --json 2>/dev/null |
        string replace -rf '^\s*"'$argv[1]'": "([^"]*)".*' '$1' | sort -u
end

set -l services tcp/22 tcp/443 udp/

complete -c knockctl -f
complete -c knockctl -s h -l help -d 'Print help and exit'
complete -c knockctl -n __knockctl_at -l version -d 'Print the version and exit'

# The commands, in knockctl --help's order.
complete -c knockctl -n __knockctl_at -a status -d 'Show parameters, table sizes, counters'
complete -c knockctl -n __knockctl_at -a stats -d 'Show the counters by group, each user'
complete -c knockctl -n __knockctl_at -a monitor -d 'Print the module\'s events as they happen'
complete -c knockctl -n __knockctl_at -a check -d 'Validate a server configuration'
complete -c knockctl -n __knockctl_at -a apply -d 'Validate and load a server configuration'
complete -c knockctl -n __knockctl_at -a confirm -d 'Keep the configuration on trial'
complete -c knockctl -n __knockctl_at -a users -d 'List knock users'
complete -c knockctl -n __knockctl_at -a knock-ports -d 'List the knock ports'
complete -c knockctl -n __knockctl_at -a guard -d 'Add, remove or list guarded services'
complete -c knockctl -n __knockctl_at -a set -d 'Change a module parameter'
complete -c knockctl -n __knockctl_at -a grant -d 'Let SRC open SERVICE for a while'
complete -c knockctl -n __knockctl_at -a revoke -d 'Remove the grants of SRC'
complete -c knockctl -n __knockctl_at -a grants -d 'List live grants'
complete -c knockctl -n __knockctl_at -a lockouts -d 'List failing and locked-out sources'
complete -c knockctl -n __knockctl_at -a unlock -d 'End the lockout of SRC'
complete -c knockctl -n __knockctl_at -a flush -d 'Remove every guard and grant, unhook'
complete -c knockctl -n __knockctl_at -a genkey -d 'Make a new private key'
complete -c knockctl -n __knockctl_at -a pubkey -d 'Print the public key of a private key'
complete -c knockctl -n __knockctl_at -a knock -d 'Send a knock to HOST'
complete -c knockctl -n __knockctl_at -a sequence -d 'Print the ports of a derived sequence'
complete -c knockctl -n __knockctl_at -a profiles -d 'List the client profiles'

complete -c knockctl -n '__knockctl_in status stats users knock-ports grants lockouts confirm profiles sequence' -l json -d 'Print JSON'
complete -c knockctl -n '__knockctl_at guard list' -l json -d 'Print JSON'

# monitor
complete -c knockctl -n '__knockctl_in monitor' -l json -d 'One JSON object per line'
complete -c knockctl -n '__knockctl_in monitor' -l exec -x -a '(__fish_complete_command)' -d 'Run CMD for each event'
complete -c knockctl -n '__knockctl_in monitor' -l quiet -d 'With --exec: print no lines'
complete -c knockctl -n '__knockctl_in monitor' -l count -x -d 'Exit after N events'
complete -c knockctl -n '__knockctl_in monitor' -l timeout -x -a '30s 5m 1h' -d 'Exit after DURATION'

# check, apply
complete -c knockctl -n '__knockctl_at check; or __knockctl_at apply' -F -d 'Configuration file'
complete -c knockctl -n '__knockctl_in apply' -l confirm -x -a '60s 5m' -d 'Roll back unless confirmed in DURATION'

# guard, set
complete -c knockctl -n '__knockctl_at guard' -a add -d 'Guard SERVICE'
complete -c knockctl -n '__knockctl_at guard' -a del -d 'Stop guarding SERVICE'
complete -c knockctl -n '__knockctl_at guard' -a list -d 'List guarded services'
complete -c knockctl -n '__knockctl_at guard add' -a "$services" -d Service
complete -c knockctl -n '__knockctl_at guard del' -a '(__knockctl_module_values service guard list)' -d Guard
complete -c knockctl -n '__knockctl_at set' -a guard-action -d 'drop or reset'
complete -c knockctl -n '__knockctl_at set' -a udp-idle -d 'Idle time after which a UDP grant closes'
complete -c knockctl -n '__knockctl_at set' -a max-grants -d 'Capacity of the grant table'
complete -c knockctl -n '__knockctl_at set guard-action' -a 'drop reset'
complete -c knockctl -n '__knockctl_at set udp-idle' -a '30s 1m 5m'

# grant, revoke, unlock
complete -c knockctl -n '__knockctl_in grant' -l for -x -a '30s 5m 1h' -d 'How long'
complete -c knockctl -n '__knockctl_in grant' -l once -d 'One-shot grant'
complete -c knockctl -n '__knockctl_in grant; and test (count (__knockctl_words)) = 2' -a '(__knockctl_module_values service guard list | string match -v "*-*")' -d Guard
complete -c knockctl -n '__knockctl_in grant; and test (count (__knockctl_words)) = 2' -a "$services" -d Service
complete -c knockctl -n '__knockctl_in revoke' -l kill -d 'Also end the TCP sessions of SRC'
complete -c knockctl -n '__knockctl_at revoke' -a '(__knockctl_module_values address grants)' -d 'Granted address'
complete -c knockctl -n '__knockctl_in revoke; and test (count (__knockctl_words)) = 2' -a '(__knockctl_module_values service grants)' -d 'Granted service'
complete -c knockctl -n '__knockctl_at unlock' -a '(__knockctl_module_values source lockouts)' -d 'Failing source'

# genkey
complete -c knockctl -n '__knockctl_in genkey' -l out -r -F -d 'Write the key to FILE (0600)'

# knock, sequence, profiles: the client
complete -c knockctl -n '__knockctl_at knock' -a '(__knockctl_profiles)' -d Profile
complete -c knockctl -n '__knockctl_at sequence' -a '(__knockctl_profiles)' -d Profile
complete -c knockctl -n '__knockctl_at sequence' -a "$services" -d Service
complete -c knockctl -n '__knockctl_in sequence; and test (count (__knockctl_words)) = 2' -a "$services" -d Service
complete -c knockctl -n '__knockctl_in knock sequence' -l server-key -x -d 'The server\'s public key (base64)'
complete -c knockctl -n '__knockctl_in knock sequence' -l key -r -F -d 'Own private key file, - for standard input'
complete -c knockctl -n '__knockctl_in knock sequence profiles' -l profile -r -F -d 'Client profile file'
complete -c knockctl -n '__knockctl_in knock' -l open -x -a "$services" -d 'Ask for SERVICE'
complete -c knockctl -n '__knockctl_in knock' -l close -x -a "$services" -d 'Ask to close the grant for SERVICE'
complete -c knockctl -n '__knockctl_in knock' -l for -x -a '30s 5m 2h' -d 'How long the grant lasts'
complete -c knockctl -n '__knockctl_in knock' -l once -d 'One-shot grant'
complete -c knockctl -n '__knockctl_in knock' -l address -x -a 'auto observed' -d 'The address the server will see'
complete -c knockctl -n '__knockctl_in knock' -l discover -x -a 'stun: https://' -d 'Where --address auto learns its address'
complete -c knockctl -n '__knockctl_in knock' -l port -x -a udp/62201 -d 'Knock port of the server'
complete -c knockctl -n '__knockctl_in knock' -l wait -d 'Then try the service until it is open (--wait=DURATION)'
complete -c knockctl -n '__knockctl_in knock' -l probe -x -a 'hex:' -d 'What --wait sends to a udp service'
complete -c knockctl -n '__knockctl_in knock' -s 4 -d 'IPv4 only'
complete -c knockctl -n '__knockctl_in knock' -s 6 -d 'IPv6 only'
complete -c knockctl -n '__knockctl_in knock' -l sequence -d 'Send the derived port sequence instead'
complete -c knockctl -n '__knockctl_in knock' -l gap -x -a '200ms 1s' -d 'Pause between --sequence steps'
complete -c knockctl -n '__knockctl_in knock' -s v -l verbose -d 'Say what was sent'
complete -c knockctl -n '__knockctl_in profiles' -l names -d 'Print only the names knock takes'
complete -c knockctl -n '__knockctl_in sequence' -l window -x -a 'current next' -d 'This window\'s sequence or the next one\'s'
