#!/bin/bash
# temporary harness smoke test
set -u
ip netns add a-$$ && ip netns add b-$$
ip link add va netns a-$$ type veth peer name vb netns b-$$
ip -n a-$$ addr add 10.9.0.1/24 dev va; ip -n b-$$ addr add 10.9.0.2/24 dev vb
ip -n a-$$ link set va up; ip -n b-$$ link set vb up
ip netns exec a-$$ socat TCP-LISTEN:22,reuseaddr EXEC:cat & 
sleep 1
t0=$(date +%s%N)
r=$(echo hello | ip netns exec b-$$ socat -T3 - TCP:10.9.0.1:22,connect-timeout=2)
echo "socat took $(( ($(date +%s%N)-t0)/1000000 )) ms"
t0=$(date +%s%N); /usr/bin/python3 -c 'import socket'; echo "python took $(( ($(date +%s%N)-t0)/1000000 )) ms"
t0=$(date +%s%N); /usr/bin/python3 -c 'import socket, argparse, time, errno, select'; echo "python took $(( ($(date +%s%N)-t0)/1000000 )) ms"
t0=$(date +%s%N); ip netns exec b-$$ true; echo "netns exec took $(( ($(date +%s%N)-t0)/1000000 )) ms"
ip netns del a-$$; ip netns del b-$$
lsmod | head -20
id; ls -ld /work /work/main
[[ $r == hello ]] && echo "PASS: socat over veth" || { echo "FAIL: socat over veth"; exit 1; }
