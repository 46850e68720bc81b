#!/usr/bin/env bash
# Copies the browser libraries' dist files from frontend/node_modules into the git-ignored static/vendor.
set -eu
src=frontend/node_modules
dst=jimu/platform/static/vendor
mkdir -p "$dst"
cp "$src/htmx.org/dist/htmx.min.js" "$dst/htmx.min.js"
cp "$src/alpinejs/dist/cdn.min.js" "$dst/alpine.min.js"
cp "$src/sortablejs/Sortable.min.js" "$dst/Sortable.min.js"
cp "$src/echarts/dist/echarts.min.js" "$dst/echarts.min.js"
cp "$src/json-logic-js/logic.js" "$dst/json-logic.js"
cp "$src/swagger-ui-dist/swagger-ui-bundle.js" "$dst/swagger-ui-bundle.js"
cp "$src/swagger-ui-dist/swagger-ui.css" "$dst/swagger-ui.css"
cp "$src/china-division/dist/pca.json" "$dst/china-pca.json"
