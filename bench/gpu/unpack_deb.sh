# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by prepare_carry.sh and run_gpu.sh: unpack_deb DEB DEST extracts a Debian package's files,
# with dpkg -x where dpkg exists (here), else with ar + tar (a GPU machine without dpkg).
unpack_deb() {
    if command -v dpkg >/dev/null; then
        dpkg -x "$1" "$2"
    else
        local member
        member=$(ar t "$1" | grep '^data\.tar')
        case $member in
            *.xz) ar p "$1" "$member" | tar -xJ -C "$2" ;;
            *.zst) ar p "$1" "$member" | zstd -dc | tar -x -C "$2" ;;
            *.gz) ar p "$1" "$member" | tar -xz -C "$2" ;;
            *) ar p "$1" "$member" | tar -x -C "$2" ;;
        esac
    fi
}
