/* migrations.c - berthd's database schema, one step per version. Never edit a released
 * step: add a new one that alters what came before. */
#include "daemon/state/db.h"

const char *const db_migrations[] = {
	/* 1: images, servers (the ledger: a server's row is its reservation), operations. */
	"CREATE TABLE images ("
	" name TEXT PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('vm','ct')),"
	" state TEXT NOT NULL CHECK (state IN ('importing','ready')),"
	" size INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER NOT NULL);"
	"CREATE TABLE servers ("
	" name TEXT PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('vm','ct')),"
	" image TEXT NOT NULL,"
	" cpus INTEGER NOT NULL CHECK (cpus > 0),"
	" memory INTEGER NOT NULL CHECK (memory > 0),"
	" disk INTEGER NOT NULL CHECK (disk >= 0),"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('creating','stopped','starting','running','stopping','deleting')),"
	" pid INTEGER,"
	" address TEXT,"
	" restart TEXT NOT NULL DEFAULT 'no' CHECK (restart IN ('no','always')),"
	" created INTEGER NOT NULL);"
	"CREATE INDEX servers_image ON servers (image);"
	"CREATE TABLE operations ("
	" id TEXT PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" target TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('running','success','failure')),"
	" progress INTEGER NOT NULL DEFAULT 0,"
	" err TEXT,"
	" created INTEGER NOT NULL,"
	" updated INTEGER NOT NULL);",
	/* 2: networks: an address of the bridge's pool is one server's (NULLs are many). */
	"CREATE UNIQUE INDEX servers_address ON servers (address);",
	/* 3: how a VM boots (its image's kernel, or its disk by firmware when the image has no
	 * kernel) and what an image or a server adds to the kernel's command line. Every VM
	 * before this step booted its image's kernel. */
	"ALTER TABLE images ADD COLUMN boot TEXT CHECK (boot IN ('kernel','firmware'));"
	"ALTER TABLE images ADD COLUMN cmdline TEXT;"
	"ALTER TABLE servers ADD COLUMN boot TEXT CHECK (boot IN ('kernel','firmware'));"
	"ALTER TABLE servers ADD COLUMN cmdline TEXT;"
	"UPDATE images SET boot = 'kernel' WHERE kind = 'vm';"
	"UPDATE servers SET boot = 'kernel' WHERE kind = 'vm';",
	/* 4: a VM's own uid and gid for its VMM's jail, given at its first start and kept
	 * (servers/jail.h); no two servers share one (NULLs are many). */
	"ALTER TABLE servers ADD COLUMN jail_uid INTEGER;"
	"CREATE UNIQUE INDEX servers_jail_uid ON servers (jail_uid);",
	/* 5: the I/O limits a server's plan gave it (NULL: none); servers made before had none. */
	"ALTER TABLE servers ADD COLUMN disk_iops INTEGER CHECK (disk_iops > 0);"
	"ALTER TABLE servers ADD COLUMN disk_bps INTEGER CHECK (disk_bps > 0);"
	"ALTER TABLE servers ADD COLUMN net_bps INTEGER CHECK (net_bps > 0);",
	/* 6: a container's user namespace: idmap is the first of the 65536 host ids its uids and
	 * gids 0..65535 map to (NULL: none). No two servers' ranges ever share an id: a unique
	 * index, and triggers that refuse any overlap (a pool changed between runs could cut
	 * ranges at other places). privileged: a container without a user namespace, as
	 * every container made before this step, which stays so (docs/berthd-drivers.md). */
	"ALTER TABLE servers ADD COLUMN idmap INTEGER CHECK (idmap > 0 AND idmap <= 4294901759);"
	"ALTER TABLE servers ADD COLUMN privileged INTEGER NOT NULL DEFAULT 0;"
	"UPDATE servers SET privileged = 1 WHERE kind = 'ct';"
	"CREATE UNIQUE INDEX servers_idmap ON servers (idmap);"
	"CREATE TRIGGER servers_idmap_insert BEFORE INSERT ON servers"
	" WHEN NEW.idmap IS NOT NULL AND EXISTS (SELECT 1 FROM servers WHERE idmap IS NOT NULL"
	"  AND idmap < NEW.idmap + 65536 AND NEW.idmap < idmap + 65536)"
	" BEGIN SELECT RAISE(ABORT, 'id range taken'); END;"
	"CREATE TRIGGER servers_idmap_update BEFORE UPDATE OF idmap ON servers"
	" WHEN NEW.idmap IS NOT NULL AND EXISTS (SELECT 1 FROM servers WHERE idmap IS NOT NULL"
	"  AND name IS NOT NEW.name AND idmap < NEW.idmap + 65536 AND NEW.idmap < idmap + 65536)"
	" BEGIN SELECT RAISE(ABORT, 'id range taken'); END;",
	/* 7: dedicated CPUs: a host CPU (its number) held by one server alone, whose plan says
	 * dedicated_cpus; released with the server's row. */
	"CREATE TABLE dedicated_cpus ("
	" cpu INTEGER PRIMARY KEY CHECK (cpu >= 0),"
	" server TEXT NOT NULL);"
	"CREATE INDEX dedicated_cpus_server ON dedicated_cpus (server);"
	"CREATE TRIGGER servers_dedicated_cpus AFTER DELETE ON servers"
	" BEGIN DELETE FROM dedicated_cpus WHERE server = OLD.name; END;",
	/* 8: a server's cloud-init seed (NULLs: none): its SSH keys (a JSON array of key
	 * lines), its user-data as given, and the instance-id drawn at its create, which only
	 * a rebuild changes (cloud-init runs its once-per-instance steps again then). */
	"ALTER TABLE servers ADD COLUMN ssh_keys TEXT;"
	"ALTER TABLE servers ADD COLUMN user_data BLOB;"
	"ALTER TABLE servers ADD COLUMN instance_id TEXT;",
};

const unsigned db_migrations_count = sizeof(db_migrations) / sizeof(db_migrations[0]);
