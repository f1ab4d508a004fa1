/* test_oci.c - an OCI layer applied onto the rootfs below it (oci_merge.c), on real trees:
 * whiteouts remove what lower layers made (a file, a tree, an opaque directory's contents)
 * but never what their own layer brings, a lower layer's symlink is replaced and never
 * followed out of the rootfs; and the image's JSON read as berthd reads it (oci_json.c). */
#include "testlib.h"
#include "daemon/scratch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/images/images.h"
#include "daemon/images/oci.h"
#include "daemon/images/oci_json.h"
#include "daemon/images/oci_merge.h"

static void sh(const char *cmd)
{
	char full[2048];

	snprintf(full, sizeof(full), "cd %s && %s", dir, cmd);
	if (system(full) != 0)
		fail_msg("command failed: %s", cmd);
}

static void test_merge(void **state)
{
	struct berth_error err = { 0 };

	(void)state;
	/* The rootfs of lower layers, and a host directory one of its symlinks names. */
	sh("mkdir -p root/etc root/opq/sub root/gone/deep host root/keep && "
	   "echo a > root/etc/a && echo b > root/etc/b && echo o > root/opq/old && "
	   "echo s > root/opq/sub/f && echo g > root/gone/deep/f && echo h > host/victim && "
	   "ln -s $PWD/host root/escape && echo k > root/keep/k");
	/* The layer: whiteouts, an opaque directory with a file of its own, a directory where
	 * the symlink was (a file through it must land in the rootfs), a new file. */
	sh("mkdir -p layer/etc layer/opq layer/escape && touch layer/etc/.wh.a layer/.wh.gone && "
	   "touch layer/opq/.wh..wh..opq && echo n > layer/opq/new && touch "
	   "layer/escape/.wh.victim && "
	   "echo in > layer/escape/victim && echo c > layer/etc/c && chmod 750 layer/opq");
	assert_int_equal(oci_merge(at("layer"), at("root"), &err), 0);
	sh("test ! -e root/etc/a && test \"$(cat root/etc/b)\" = b && test \"$(cat root/etc/c)\" = "
	   "c");
	sh("test ! -e root/gone && test ! -e root/opq/old && test ! -e root/opq/sub");
	sh("test \"$(cat root/opq/new)\" = n && test $(stat -c %a root/opq) = 750");
	sh("test -d root/escape && ! test -L root/escape && test \"$(cat root/escape/victim)\" = "
	   "in");
	sh("test -z \"$(find root -name '.wh.*')\""); /* no whiteout reaches the rootfs */
	sh("test \"$(cat host/victim)\" = h && test \"$(cat root/keep/k)\" = k");
	sh("test -z \"$(find layer -type f)\""); /* everything moved or consumed */
}

static void test_json(void **state)
{
	static const char hex[] =
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct berth_error err = { 0 };
	struct oci_desc d, layers[OCI_LAYERS_MAX];
	struct oci_process p;
	char buf[2048];
	size_t n;

	(void)state;
	snprintf(
	    buf, sizeof(buf),
	    "{\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	    "\"digest\":\"sha256:%s\",\"size\":1},"
	    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":"
	    "\"sha256:%s\",\"size\":7,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
	    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":"
	    "\"sha256:%s\",\"size\":42}]}",
	    hex, hex, hex);
	assert_int_equal(oci_index_parse(buf, strlen(buf), &d, &err), 0);
	assert_int_equal(d.size, 42);
	assert_string_equal(d.hex, hex);
	snprintf(buf, sizeof(buf),
		 "{\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"digest\":\"sha256:../../../../etc/passwd%s\",\"size\":1}]}",
		 hex + 24);
	assert_int_equal(oci_index_parse(buf, strlen(buf), &d, &err), -1);
	assert_contains(err.msg, "sha256:HEX");
	snprintf(buf, sizeof(buf),
		 "{\"config\":{\"digest\":\"sha256:%s\",\"size\":3},\"layers\":[{\"digest\":"
		 "\"sha256:%s\",\"size\":-1}]}",
		 hex, hex);
	assert_int_equal(oci_manifest_parse(buf, strlen(buf), &d, layers, &n, &err), -1);
	snprintf(buf, sizeof(buf),
		 "{\"config\":{\"Entrypoint\":[\"/bin/x\"],\"Cmd\":[\"a\"],\"Env\":[\"A=1\"],"
		 "\"WorkingDir\":\"/w\"}}");
	assert_int_equal(oci_config_parse(buf, strlen(buf), &p, &err), 0);
	assert_string_equal(p.args[0], "/bin/x");
	assert_string_equal(p.args[1], "a");
	assert_null(p.args[2]);
	assert_string_equal(p.env[0], "A=1");
	assert_string_equal(p.cwd, "/w");
	oci_process_free(&p);
	assert_int_equal(oci_config_parse("{\"config\":{\"Env\":[\"novalue\"]}}", 32, &p, &err),
			 -1);
	assert_int_equal(oci_config_parse("{\"config\":{\"WorkingDir\":\"rel\"}}", 31, &p, &err),
			 -1);
	assert_int_equal(oci_config_parse("{\"config\":{\"Cmd\":[\"a\\u0000b\"]}}", 31, &p, &err),
			 -1);
	assert_int_equal(oci_config_parse("{}", 2, &p, &err), 0);
	assert_null(p.args[0]);
	oci_process_free(&p);
}

/* A two-layer OCI layout at dir/layout, made with python3 (hashlib, tarfile): layer 1 has
 * bin/sh (busybox), etc/a, etc/b, d/x; layer 2 whites out etc/a and d (opaque) and adds d/y
 * and bin/run; the config names bin/run as entrypoint, an env and a working directory. With
 * BAD=1 layer 2 also holds a member climbing out (d/../../escaped). */
static const char mklayout[] =
    "python3 - \"$BAD\" <<'EOF'\n"
    "import hashlib, io, json, os, sys, tarfile\n"
    "bad = sys.argv[1] == '1'\n"
    "os.makedirs('layout/blobs/sha256')\n"
    "def blob(data):\n"
    "    h = hashlib.sha256(data).hexdigest()\n"
    "    open('layout/blobs/sha256/' + h, 'wb').write(data)\n"
    "    return {'mediaType': 'x', 'digest': 'sha256:' + h, 'size': len(data)}\n"
    "def layer(files):\n"
    "    b = io.BytesIO()\n"
    "    with tarfile.open(fileobj=b, mode='w:gz') as t:\n"
    "        for name, data, mode in files:\n"
    "            i = tarfile.TarInfo(name)\n"
    "            if data is None:\n"
    "                i.type = tarfile.DIRTYPE; i.mode = 0o755; t.addfile(i)\n"
    "            else:\n"
    "                i.size = len(data); i.mode = mode; t.addfile(i, io.BytesIO(data))\n"
    "    return blob(b.getvalue())\n"
    "sh = open('/bin/busybox', 'rb').read()\n"
    "l1 = layer([('bin', None, 0), ('bin/sh', sh, 0o755), ('etc', None, 0), ('etc/a', b'a', "
    "0o644),\n"
    "            ('etc/b', b'b', 0o644), ('d', None, 0), ('d/x', b'x', 0o644)])\n"
    "f2 = [('etc', None, 0), ('etc/.wh.a', b'', 0o644), ('d', None, 0), ('d/.wh..wh..opq', b'', "
    "0o644),\n"
    "      ('d/y', b'y', 0o644), ('bin', None, 0), ('bin/run', b'#!/bin/sh\\n', 0o755)]\n"
    "if bad: f2.append(('d/../../escaped', b'e', 0o644))\n"
    "l2 = layer(f2)\n"
    "cfg = blob(json.dumps({'config': {'Entrypoint': ['/bin/run'], 'Env': ['K=v'],\n"
    "                                  'WorkingDir': '/d'}}).encode())\n"
    "man = blob(json.dumps({'schemaVersion': 2, 'config': cfg, 'layers': [l1, l2]}).encode())\n"
    "man['mediaType'] = 'application/vnd.oci.image.manifest.v1+json'\n"
    "json.dump({'schemaVersion': 2, 'manifests': [man]}, open('layout/index.json', 'w'))\n"
    "open('layout/oci-layout', 'w').write('{\"imageLayoutVersion\": \"1.0.0\"}')\n"
    "EOF";

static void test_layout_import(void **state)
{
	char layout[PATH_MAX], cmd[sizeof(mklayout) + 32];
	struct image_source src = { .kind = KIND_CT, .rootfs = keep(layout, at("layout")) };
	struct berth_error err = { 0 };

	(void)state;
	if (system("command -v python3 >/dev/null && test -x /bin/busybox") != 0)
		skip(); /* apt-get install python3 busybox-static */
	snprintf(cmd, sizeof(cmd), "BAD=0; %s", mklayout);
	sh(cmd);
	sh("mkdir state");
	assert_int_equal(image_import(at("state"), "o", &src, NULL, NULL, NULL, &err), 0);
	sh("cd state/images/o && test ! -e rootfs/etc/a && test $(cat rootfs/etc/b) = b && "
	   "test ! -e rootfs/d/x && test $(cat rootfs/d/y) = y && test -x rootfs/bin/run && "
	   "test -z \"$(find rootfs -name '.wh.*')\" && test ! -e oci && test ! -e "
	   "rootfs/index.json");
	sh("grep -q '\"args\": *\\[\"/bin/run\"\\]' state/images/o/" OCI_PROCESS_FILE " && "
	   "grep -q '\"K=v\"' state/images/o/" OCI_PROCESS_FILE);

	/* A layer climbing out: GNU tar refuses it, the import fails, nothing is left. */
	sh("rm -rf layout");
	snprintf(cmd, sizeof(cmd), "BAD=1; %s", mklayout);
	sh(cmd);
	assert_int_equal(image_import(at("state"), "bad", &src, NULL, NULL, NULL, &err), -1);
	assert_contains(err.msg, "layer 2");
	sh("test ! -e state/images/bad && test ! -e state/images/bad.tmp && test ! -e escaped && "
	   "test ! -e ../escaped");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_merge, scratch_setup, scratch_teardown),
		cmocka_unit_test(test_json),
		cmocka_unit_test_setup_teardown(test_layout_import, scratch_setup,
						scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
