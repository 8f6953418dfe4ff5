# Sourced: puts the pinned Python tools (scripts/lib/tools-requirements.txt) on PATH from a
# venv cached under ~/.cache, keyed by a hash of the requirements, so CI installs them once
# per machine and a change of pin gets a fresh venv.
_req="$(dirname "${BASH_SOURCE[0]}")/tools-requirements.txt"
_hash=$(sha256sum "$_req" | cut -c1-12)
TOOLS_VENV="${CHECKIN_TOOLS_CACHE:-$HOME/.cache/checkin-tools}/venv-$_hash"
# A venv cannot be moved (its scripts name their interpreter by absolute path): it is built
# in place, and `.complete` marks one whose install finished.
if [ ! -f "$TOOLS_VENV/.complete" ]; then
    rm -rf "$TOOLS_VENV"
    if ! python3 -m venv "$TOOLS_VENV" 2>/dev/null; then
        # Debian's python3 needs its venv module installed separately.
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 python3-venv
        rm -rf "$TOOLS_VENV" && python3 -m venv "$TOOLS_VENV"
    fi
    "$TOOLS_VENV/bin/pip" install -q -r "$_req"
    touch "$TOOLS_VENV/.complete"
fi
export PATH="$TOOLS_VENV/bin:$PATH"
unset _req _hash
