"""A real OpenLDAP server (Debian's slapd) for the tests: a temporary config and database, seeded
with people of the Liaoning demo (unit codes in departmentNumber) and two groups, on a free
loopback port. `make test` needs nothing else running."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SUFFIX = "dc=ln,dc=gov,dc=cn"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
PASSWORD = "Dir-2018!ln"

# (uid, cn, departmentNumber, groups)
DIRECTORY_PEOPLE = [
    ("zhang.hn", "浑南区 张目录", "210112", ["reporters"]),
    ("li.sy", "沈阳市 李目录", "210100", ["city-officers"]),
    ("wang.xx", "未知单位 王目录", "999999", ["reporters"]),
    ("zhao.hn", "浑南区 赵无组", "210112", []),
    ("hunnan", "与本地账号同名", "210112", ["reporters"]),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed_ldif() -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: ln\no: Liaoning\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    members: dict[str, list[str]] = {}
    for uid, cn, dept, groups in DIRECTORY_PEOPLE:
        entries.append(
            f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {cn}\nsn: {cn[-3:]}\n"
            f"departmentNumber: {dept}\nmail: {uid}@ln.gov.cn\nuserPassword: {PASSWORD}\n"
        )
        for group in groups:
            members.setdefault(group, []).append(f"uid={uid},{PEOPLE}")
    for group in ("reporters", "city-officers"):
        lines = "".join(f"member: {m}\n" for m in members.get(group, []))
        entries.append(f"dn: cn={group},{GROUPS}\nobjectClass: groupOfNames\ncn: {group}\n{lines}")
    return "\n".join(entries)


@dataclass
class Slapd:
    url: str
    root: Path

    def settings(self) -> dict[str, object]:
        from kaifang.accounts.ldap_config import ldap_settings

        return ldap_settings(url=self.url, user_base=PEOPLE, group_base=GROUPS, timeout=5)


@contextmanager
def running_slapd() -> Iterator[Slapd]:
    root = Path(tempfile.mkdtemp(prefix="kaifang-slapd-"))
    (root / "db").mkdir()
    conf = root / "slapd.conf"
    conf.write_text(
        "include /etc/ldap/schema/core.schema\ninclude /etc/ldap/schema/cosine.schema\n"
        "include /etc/ldap/schema/inetorgperson.schema\n"
        f"pidfile {root}/slapd.pid\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        f'database mdb\nsuffix "{SUFFIX}"\nrootdn "cn=admin,{SUFFIX}"\nrootpw {PASSWORD}\n'
        f"directory {root}/db\nmaxsize 10485760\n"
        # anyone may bind and search (the directory's own policy is not what is tested here)
        "access to attrs=userPassword by anonymous auth by * none\naccess to * by * read\n"
    )
    (root / "seed.ldif").write_text(seed_ldif())
    subprocess.run([SLAPADD, "-f", str(conf), "-l", str(root / "seed.ldif")], check=True, capture_output=True)
    port = free_port()
    url = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", f"{url}/", "-d", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("slapd did not start") from None
                time.sleep(0.1)
        yield Slapd(url=url, root=root)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
