# bench/lib/mcpgen-servers.sh — release `mcpgen` and the compiled servers it generates, as
# bench/startup-in-process and bench/search-tools measure them (sourced; run from the checkout's
# root, with `set -euo pipefail`).
#
#   github_spec                 GITHUB_SPEC, OCTOKIT_VERSION: GitHub's REST description, the pin and
#                               install of bench/large-api (npm, once) or $BENCH_GITHUB_SPEC
#   build_mcpgen [REV]          MCPGEN, MCPGEN_REV: release mcpgen of the working tree, or of
#                               commit REV (`git archive` into $SERVERS_WORK/src-<rev>/, built into
#                               the shared target/, copied to $SERVERS_WORK/mcpgen-<rev>)
#   build_compiled NAME SPEC    COMPILED[NAME]: the release binary of
#                               `$MCPGEN install mcp-json SPEC --compile --release --print`
#
# The compiled servers are generated into the cache MCPGEN_CACHE_DIR=target/bench/mcpgen-cache and
# built in CARGO_TARGET_DIR=target/bench/gen-target, so their dependencies build once. mcpgen's
# cache key includes its executable's size and modification time: the copy of a --rev build is
# replaced only when its bytes changed, so the scripts that share it share the cached crates.

SERVERS_WORK=${SERVERS_WORK:-target/bench/in-process-startup}
export MCPGEN_CACHE_DIR=$PWD/target/bench/mcpgen-cache
GEN_TARGET=$PWD/target/bench/gen-target
declare -A COMPILED=()

github_spec() {
    OCTOKIT_VERSION=$(sed -n 's/^OCTOKIT_VERSION=//p' bench/large-api)
    local tools=target/tools/octokit-openapi
    GITHUB_SPEC=${BENCH_GITHUB_SPEC:-$tools/node_modules/@octokit/openapi/generated/api.github.com.json}
    if [ -z "${BENCH_GITHUB_SPEC:-}" ] && { [ ! -f "$GITHUB_SPEC" ] \
        || ! grep -q "\"version\": \"$OCTOKIT_VERSION\"" "$tools/node_modules/@octokit/openapi/package.json"; }; then
        command -v npm >/dev/null || { echo "error: \`npm\` is not installed (needed once, for the spec)" >&2; exit 1; }
        echo ">> npm install @octokit/openapi@$OCTOKIT_VERSION into $tools" >&2
        mkdir -p "$tools"
        npm install --prefix "$tools" --no-save --no-audit --no-fund --ignore-scripts \
            "@octokit/openapi@$OCTOKIT_VERSION" >&2
    fi
    [ -f "$GITHUB_SPEC" ] || { echo "error: $GITHUB_SPEC not found" >&2; exit 1; }
}

build_mcpgen() {
    local rev_arg=${1:-} src
    mkdir -p "$SERVERS_WORK"
    if [ -n "$rev_arg" ]; then
        MCPGEN_REV=$(git rev-parse --short "$rev_arg^{commit}")
        src=$SERVERS_WORK/src-$MCPGEN_REV
        if [ ! -f "$src/.complete" ]; then
            rm -rf "$src" && mkdir -p "$src"
            git archive "$MCPGEN_REV" | tar -x -C "$src"
            touch "$src/.complete"
        fi
        echo ">> cargo build --release -p mcpgen of $MCPGEN_REV (git archive into $src)" >&2
        CARGO_TARGET_DIR=$PWD/target cargo build --release -q -p mcpgen --manifest-path "$src/Cargo.toml" >&2
        MCPGEN=$SERVERS_WORK/mcpgen-$MCPGEN_REV
        cmp -s target/release/mcpgen "$MCPGEN" || cp target/release/mcpgen "$MCPGEN"
    else
        MCPGEN_REV=
        echo ">> cargo build --release -p mcpgen" >&2
        CARGO_TARGET_DIR=$PWD/target cargo build --release -q -p mcpgen >&2
        MCPGEN=target/release/mcpgen
    fi
}

# The entry's command is the binary (copied into the cached crate's bin/); its args must be empty,
# for the scripts' flags to follow it. The build's seconds go to $SERVERS_WORK/NAME-install.seconds.
build_compiled() {
    local name=$1 spec=$2 start
    echo ">> [$name] $MCPGEN install mcp-json $spec --compile --release --print (log: $SERVERS_WORK/$name-install.log)" >&2
    start=$(date +%s)
    if ! CARGO_TARGET_DIR=$GEN_TARGET "$MCPGEN" install mcp-json "$spec" --compile --release --print \
        >"$SERVERS_WORK/$name-install.json" 2>"$SERVERS_WORK/$name-install.log"; then
        tail -30 "$SERVERS_WORK/$name-install.log" >&2
        echo "error: building the compiled $name server failed" >&2
        exit 1
    fi
    echo "$(( $(date +%s) - start ))" >"$SERVERS_WORK/$name-install.seconds"
    COMPILED[$name]=$(python3 - "$SERVERS_WORK/$name-install.json" <<'EOF'
import json, os, shlex, sys
doc = json.load(open(sys.argv[1]))["mcpServers"]
(entry,) = doc.values()
if entry.get("args"):
    sys.exit(f"unexpected server arguments in the entry: {entry['args']}")
print(shlex.quote(os.path.relpath(entry["command"])))
EOF
)
    echo ">> [$name] compiled server: ${COMPILED[$name]}" >&2
}
