#!/bin/sh
# writes its arguments into the file named last
out=$1; shift
echo "args: $*" > "$out"
echo done
