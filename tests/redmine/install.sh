#!/bin/sh
# Install Redmine 5 (Debian packages, SQLite backend) and puma, idempotently.
# Facts behind each step: ../shared/recipes/redmine.md. Needs root (CI runs as root).
set -eu

REDMINE_DIR=/usr/share/redmine
DB=/var/lib/dbconfig-common/sqlite3/redmine/instances/default/redmine_default

if [ "$(id -u)" != 0 ]; then
    echo "tests/redmine/install.sh: must run as root to apt-get install redmine" >&2
    exit 1
fi

installed() {
    for package in redmine redmine-sqlite puma; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
            || return 1
    done
    test -f "$DB"
}

if installed; then
    :
else
    # debconf answers so the postinst creates, migrates and seeds the DB itself.
    debconf-set-selections <<'SEL'
redmine redmine/current-instances string default
redmine redmine/instances/default/dbconfig-install boolean true
redmine redmine/instances/default/database-type select sqlite3
redmine redmine/instances/default/default-language select en
SEL
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-cache show redmine >/dev/null 2>&1; then
        apt-get update -q
    fi
    if ! apt-get install -y -q --no-install-recommends redmine redmine-sqlite puma; then
        # A stale package list is the usual cause: refresh once and retry.
        apt-get update -q
        apt-get install -y -q --no-install-recommends redmine redmine-sqlite puma
    fi
fi

test -f "$DB" || { echo "install.sh: Redmine database $DB missing after install" >&2; exit 1; }
test -f /etc/redmine/default/secret_key.txt || {
    echo "install.sh: /etc/redmine/default/secret_key.txt missing (every request would be a 500)" >&2
    exit 1
}

# Redmine's Gemfile does not list puma, so bundler would hide it.
if ! grep -qs "gem 'puma'" "$REDMINE_DIR/Gemfile.local"; then
    echo "gem 'puma'" >> "$REDMINE_DIR/Gemfile.local"
fi
# Offline (--local) and under a second; bundler's "don't run as root" notice is noise here.
(cd "$REDMINE_DIR" && bundle install --local --quiet >/dev/null 2>&1) || {
    echo "install.sh: 'bundle install --local' failed in $REDMINE_DIR" >&2
    exit 1
}
if [ -f /var/lib/redmine/Gemfile.lock ]; then
    chown www-data:www-data /var/lib/redmine/Gemfile.lock
fi
echo "redmine installed: $DB"
