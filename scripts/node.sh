# Sourced by web.sh and chain.sh: installs Node.js and npm from Debian when they are missing.
ensure_npm() {
    if ! command -v npm >/dev/null 2>&1; then
        echo "installing Node.js and npm (Debian packages)"
        if [ "$(id -u)" = 0 ]; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
        else
            sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
        fi
    fi
}

# npm ci in the current folder, only when its lock file changed since the last install.
npm_ci_when_changed() {
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        npm ci --no-audit --no-fund --loglevel=error
    fi
}
