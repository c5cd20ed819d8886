#!/usr/bin/env bash
# Regenerate benchmarks/corpus/data/ from the real sources it was taken from (see ../README.md).
# The items were captured on a Debian 12 (bookworm) machine on 2026-12-02; versions drift, so a
# rerun elsewhere gives different bytes: run build_manifest.py afterwards and re-check answers.
#
# Setup (once): Debian packages, a venv with the PyPI packages, an npm folder, some downloads.
#   apt-get install -y python3-doc rsync jq tmux git-man sqlite3-doc man-db
#   uv venv $CW/venv -p 3.11 && VIRTUAL_ENV=$CW/venv uv pip install google-api-python-client \
#       check-jsonschema mcp-server-fetch mcp-server-sqlite mcp-server-git mcp
#   uv venv $CW/srv-sqlite -p 3.11 && VIRTUAL_ENV=$CW/srv-sqlite uv pip install mcp-server-sqlite "mcp<2"
#   (cd $CW/npm && npm init -y && npm install @modelcontextprotocol/server-filesystem mime-db \
#       electron-to-chromium commander semver ajv)
#   (cd $CW/debs && apt-get download golang-github-docker-docker-dev golang-github-getkin-kin-openapi-dev \
#       ieee-data && for f in *.deb; do dpkg-deb -x "$f" x; done)
#   pip download --no-deps -d $CW/dl statsmodels==0.15.0 && unzip statsmodels-*.whl 'statsmodels/datasets/*' -d $CW/dl/sm
#   pip download --no-deps --no-binary :all: -d $CW/dl pytest==9.2.0 sphinx==9.0.4 (then untar)
set -euo pipefail
CW=${CW:-/tmp/cw}
here=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$here/../data}
mkdir -p "$OUT"
SP=$CW/venv/lib/python3.11/site-packages
NM=$CW/npm/node_modules
GO=$CW/debs/x/usr/share/gocode/src/github.com
PYLIB=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
DOC=/usr/share/doc/python3.11/html
export MANWIDTH=80 LC_ALL=C.UTF-8

# api_description
cp "$GO/docker/docker/api/swagger.yaml" "$OUT/api_docker_engine_swagger.yaml"
cp "$GO/getkin/kin-openapi/openapi3/testdata/lxkns.yaml" "$OUT/api_lxkns_openapi.yaml"
cp "$SP/googleapiclient/discovery_cache/documents/youtube.v3.json" "$OUT/api_google_youtube_v3.json"
cp "$SP/googleapiclient/discovery_cache/documents/gmail.v1.json" "$OUT/api_google_gmail_v1.json"

# json_schema (vendored by check-jsonschema, from SchemaStore and upstream projects)
V=$SP/check_jsonschema/builtin_schemas/vendor
cp "$V/github-workflows.json" "$OUT/schema_github_workflows.json"
cp "$V/compose-spec.json" "$OUT/schema_compose_spec.json"
cp "$V/dependabot.json" "$OUT/schema_dependabot.json"

# package_metadata
python3 -m pip inspect --path "$SP" > "$OUT/pkg_pip_inspect.json"
(cd "$CW/npm" && npm view ajv@8.17.1 --json) > "$OUT/pkg_npm_view_ajv.json"
(cd "$CW/npm" && npm ls --all --json --long) > "$OUT/pkg_npm_ls_long.json"
apt-cache show python3-doc rsync jq tmux git-man sqlite3 curl openssh-client man-db manpages > "$OUT/pkg_apt_cache_show.txt"

# source_code
cp "$PYLIB/argparse.py" "$OUT/src_python_argparse.py"
cp "$NM/commander/lib/command.js" "$OUT/src_js_commander_command.js"
cp "$GO/docker/docker/daemon/daemon.go" "$OUT/src_go_docker_daemon.go"
cp /usr/include/sqlite3.h "$OUT/src_c_sqlite3.h"

# man_page (man-db, rendered as a pager would get it, no formatting)
man -P cat rsync > "$OUT/man_rsync.txt"
man -P cat curl > "$OUT/man_curl.txt"
man -P cat 5 ssh_config > "$OUT/man_ssh_config.txt"

# changelog
zcat /usr/share/doc/sqlite3/changelog.Debian.gz > "$OUT/changelog_sqlite3_debian.txt"
cp "$(pyenv root 2>/dev/null || echo /root/.pyenv)/CHANGELOG.md" "$OUT/changelog_pyenv.md"
cp /usr/lib/google-cloud-sdk/RELEASE_NOTES "$OUT/changelog_gcloud_release_notes.md"

# cli_table
COLUMNS=150 dpkg -l > "$OUT/cli_dpkg_l.txt"
python3 "$here/make_db.py" "$CW/packages.sqlite" "$CW/debs/x/usr/share/ieee-data/iab.csv"
sqlite3 -column -header "$CW/packages.sqlite" \
  "SELECT section, COUNT(*) AS packages, SUM(installed_kb) AS total_kb, MAX(installed_kb) AS largest_kb FROM packages GROUP BY section ORDER BY total_kb DESC;
   SELECT name, version, section, installed_kb FROM packages ORDER BY installed_kb DESC;" > "$OUT/cli_sqlite3_column.txt"
python3 -m pip list -v --path "$SP" > "$OUT/cli_pip_list.txt"

# csv / tsv
cp "$CW/debs/x/usr/share/ieee-data/iab.csv" "$OUT/csv_ieee_iab.csv"
cp "$CW/dl/sm/statsmodels/datasets/macrodata/macrodata.csv" "$OUT/csv_statsmodels_macrodata.csv"
cp /usr/share/zoneinfo/zone1970.tab "$OUT/tsv_tzdata_zone1970.tab"
sqlite3 -csv -header "$CW/packages.sqlite" \
  "SELECT name, version, architecture, installed_kb, section, priority, maintainer FROM packages ORDER BY name;" > "$OUT/csv_sqlite3_packages.csv"

# yaml
G=/usr/lib/google-cloud-sdk/lib/googlecloudsdk
cp "$G/generated_clients/regen_apis_config.yaml" "$OUT/yaml_gcloud_regen_apis_config.yaml"
cp "$G/command_lib/iam/flags.yaml" "$OUT/yaml_gcloud_iam_flags.yaml"
cp "$G/command_lib/iam/resources.yaml" "$OUT/yaml_gcloud_iam_resources.yaml"

# toml
cp "$HOME/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/lib/rustlib/multirust-channel-manifest.toml" "$OUT/toml_rust_channel_manifest.toml"
cp "$CW/dl/pytest-9.2.0/pyproject.toml" "$OUT/toml_pytest_pyproject.toml"
cp "$CW/dl/sphinx-9.0.4/pyproject.toml" "$OUT/toml_sphinx_pyproject.toml"

# pkg_log
cp /var/log/dpkg.log "$OUT/log_dpkg.log"
cp /var/log/apt/term.log "$OUT/log_apt_term.log"
cp /var/log/apt/history.log "$OUT/log_apt_history.log"
mkdir -p "$CW/npm2" && (cd "$CW/npm2" && npm init -y >/dev/null && \
  npm install --loglevel=verbose --no-audit --no-fund express@5 yargs@17) > "$OUT/log_npm_install_verbose.log" 2>&1

# html_reference
cp "$DOC/library/sqlite3.html" "$OUT/html_python_sqlite3.html"
cp "$DOC/reference/datamodel.html" "$OUT/html_python_datamodel.html"
cp "$DOC/library/logging.html" "$OUT/html_python_logging.html"

# readme (long READMEs with a changelog)
cp "$SP/pydantic-2.14.4.dist-info/METADATA" "$OUT/readme_pydantic_metadata.md"
cp "$SP/charset_normalizer-3.5.3.dist-info/METADATA" "$OUT/readme_charset_normalizer_metadata.md"
cp "$NM/ajv/README.md" "$OUT/readme_ajv.md"

# json_map
cp "$NM/mime-db/db.json" "$OUT/map_mime_db.json"
cp "$NM/electron-to-chromium/full-versions.json" "$OUT/map_electron_full_versions.json"
cp "$CW/npm/package-lock.json" "$OUT/map_npm_package_lock.json"

# git, python_repr, mcp_fetch, mcp_filesystem: real MCP servers through the mcp SDK client
"$CW/venv/bin/python" "$here/git_log_json.py" "${REPO:-/work/main}" "${REV:-247c97e}" > "$OUT/git_log_nocp.json"
"$CW/venv/bin/python" "$here/mcp_capture.py" "$OUT"
