#!/bin/sh
# Installs the Debian packages the named needs lack, in ONE apt-get call (apt-get update
# alone takes half a minute or more here, and two apt-gets cannot run at once), or says
# what to install when we are not root.
#   tools/system-deps.sh venv font node browser
# venv: python3-venv (Debian ships venv apart); font: the CJK font of the evidence
# packets' PDF; node: Node.js and npm for Neo4j's own Cypher linter; browser: Debian's
# chromium for the browser test (never a browser Playwright downloads: the intranet
# reaches no download site) and poppler's pdftoppm to render a packet's PDF page.
set -eu
PYTHON=${PYTHON:-python3}
missing=""
for need in "$@"; do
  case "$need" in
    venv) "$PYTHON" -c "import ensurepip, venv" 2>/dev/null || missing="$missing python3-venv" ;;
    font) [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$missing fonts-wqy-microhei" ;;
    node) { command -v node >/dev/null && command -v npm >/dev/null; } || missing="$missing nodejs npm" ;;
    browser)
      [ -x /usr/bin/chromium ] || missing="$missing chromium"
      command -v pdftoppm >/dev/null || missing="$missing poppler-utils" ;;
    *) echo "system-deps.sh: unknown need $need" >&2; exit 2 ;;
  esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "apt-get install$missing"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing
else
  echo "需要系统软件包：$missing（请以 root 运行 apt-get install$missing）" >&2
  exit 1
fi
