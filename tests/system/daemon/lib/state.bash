# tests/system/daemon/lib/state.bash - reading a test berthd's database (sourced by
# daemon.bash and rig_daemon.bash; STATE is the berthd's state directory).

# db SQL: run SQL on berthd's database and print the rows.
db() { sqlite3 "$STATE/berth.db" "$1"; }

# check_rows_and_dirs: every row is settled ('stopped' or 'running'), no NAME.tmp is left,
# and every server directory has its row.
check_rows_and_dirs() {
	local dir n
	[ "$(db "SELECT count(*) FROM servers WHERE state NOT IN ('stopped', 'running')")" = 0 ] ||
		fail "rows not settled: $(db "SELECT name, state FROM servers")"
	for dir in "$STATE"/servers/*; do
		[ -e "$dir" ] || continue
		n=${dir##*/}
		[[ $n != *.tmp ]] || fail "$n: a .tmp directory is left"
		[ -n "$(db "SELECT name FROM servers WHERE name = '$n'")" ] || fail "$n: directory without a row"
	done
}
