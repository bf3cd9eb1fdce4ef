# Writes the OCI images of one .wasm (see ProxyWasmOci.cmake), byte for byte reproducible.
#   cmake -DWASM=<file.wasm> -DOUT=<dir> -DNAME=<name> [-DTAGS=a,b] [-DROOT_IDS=x,y]
#         [-DTAR=tar] [-DGZIP=gzip] -P ProxyWasmOciImage.cmake
cmake_minimum_required(VERSION 3.20)
foreach(v WASM OUT NAME)
  if(NOT ${v})
    message(FATAL_ERROR "ProxyWasmOciImage: -D${v}= is required")
  endif()
endforeach()
if(NOT EXISTS "${WASM}")
  message(FATAL_ERROR "ProxyWasmOciImage: no module at ${WASM}")
endif()
if(NOT TAGS)
  set(TAGS latest)
endif()
if(NOT TAR)
  set(TAR tar)
endif()
if(NOT GZIP)
  set(GZIP gzip)
endif()
string(REPLACE "," ";" TAGS "${TAGS}")
string(REPLACE "," ";" ROOT_IDS "${ROOT_IDS}")

set(work "${OUT}/${NAME}.oci-work")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}/layer")

# Adds a file to an image layout's blobs; sets <var>_digest (sha256:...) and <var>_size.
function(add_blob layout file var)
  file(SHA256 "${file}" hex)
  file(SIZE "${file}" size)
  file(MAKE_DIRECTORY "${layout}/blobs/sha256")
  file(COPY_FILE "${file}" "${layout}/blobs/sha256/${hex}" ONLY_IF_DIFFERENT)
  set(${var}_digest "sha256:${hex}" PARENT_SCOPE)
  set(${var}_size "${size}" PARENT_SCOPE)
endfunction()

function(write_text file text)
  file(WRITE "${file}" "${text}")
endfunction()

# tar with fixed metadata: one entry, plugin.wasm, owned by 0:0, mode 0644, mtime 0.
function(reproducible_tar out dir)
  execute_process(
    COMMAND "${TAR}" --create --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner
            --mode=0644 --file "${out}" -C "${dir}" ${ARGN}
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ProxyWasmOciImage: tar failed: ${err}")
  endif()
endfunction()

# A layout: oci-layout, blobs, index.json with one reference per tag to <manifest>.
function(finish_layout layout manifest_file variant)
  add_blob("${layout}" "${manifest_file}" manifest)
  write_text("${layout}/oci-layout" "{\"imageLayoutVersion\":\"1.0.0\"}")
  set(entries "")
  foreach(tag ${TAGS})
    if(entries)
      string(APPEND entries ",")
    endif()
    string(APPEND entries "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"${manifest_digest}\",\"size\":${manifest_size},\"annotations\":{\"org.opencontainers.image.ref.name\":\"${tag}\"}}")
    file(APPEND "${OUT}/${NAME}.oci.digests" "${variant} ${tag} ${manifest_digest}\n")
  endforeach()
  write_text("${layout}/index.json" "{\"schemaVersion\":2,\"manifests\":[${entries}]}")
  message(STATUS "proxy-wasm: ${layout} (${variant}): ${TAGS} -> ${manifest_digest}")
endfunction()

file(SHA256 "${WASM}" wasm_hex)
file(WRITE "${OUT}/${NAME}.oci.digests" "")

# ---- The Docker-compatible ("compat") variant ----------------------------------------------
set(layout "${OUT}/${NAME}.oci")
file(REMOVE_RECURSE "${layout}")
file(COPY_FILE "${WASM}" "${work}/layer/plugin.wasm")
reproducible_tar("${work}/layer.tar" "${work}/layer" plugin.wasm)
file(SHA256 "${work}/layer.tar" diff_id)
execute_process(COMMAND "${GZIP}" -n -9 -c "${work}/layer.tar" OUTPUT_FILE "${work}/layer.tar.gz" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ProxyWasmOciImage: gzip failed")
endif()
add_blob("${layout}" "${work}/layer.tar.gz" layer)
write_text("${work}/config.json"
  "{\"architecture\":\"wasm\",\"os\":\"wasip1\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:${diff_id}\"]}}")
add_blob("${layout}" "${work}/config.json" config)
write_text("${work}/manifest.json"
  "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"${config_digest}\",\"size\":${config_size}},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"${layer_digest}\",\"size\":${layer_size}}],\"annotations\":{\"module.wasm.image/variant\":\"compat\"}}")
finish_layout("${layout}" "${work}/manifest.json" compat)
reproducible_tar("${OUT}/${NAME}.oci.tar" "${layout}" oci-layout index.json blobs)

# ---- The Wasm artifact ("oci") variant -----------------------------------------------------
set(layout "${OUT}/${NAME}.artifact.oci")
file(REMOVE_RECURSE "${layout}")
set(ids "")
foreach(id ${ROOT_IDS})
  if(ids)
    string(APPEND ids ",")
  endif()
  string(APPEND ids "\"${id}\"")
endforeach()
write_text("${work}/runtime-config.json"
  "{\"type\":\"envoy_proxy\",\"abiVersions\":[\"v0.2.1\"],\"config\":{\"root_ids\":[${ids}]}}")
add_blob("${layout}" "${work}/runtime-config.json" config)
add_blob("${layout}" "${WASM}" module)
write_text("${work}/artifact-manifest.json"
  "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.module.wasm.config.v1+json\",\"digest\":\"${config_digest}\",\"size\":${config_size},\"annotations\":{\"org.opencontainers.image.title\":\"runtime-config.json\"}},\"layers\":[{\"mediaType\":\"application/vnd.module.wasm.content.layer.v1+wasm\",\"digest\":\"${module_digest}\",\"size\":${module_size},\"annotations\":{\"org.opencontainers.image.title\":\"plugin.wasm\"}}]}")
finish_layout("${layout}" "${work}/artifact-manifest.json" artifact)
reproducible_tar("${OUT}/${NAME}.artifact.oci.tar" "${layout}" oci-layout index.json blobs)

# ---- Envoy: the module's checksum ----------------------------------------------------------
get_filename_component(wasm_name "${WASM}" NAME)
file(WRITE "${OUT}/${NAME}.wasm.sha256" "${wasm_hex}  ${wasm_name}\n")
message(STATUS "proxy-wasm: ${wasm_name} sha256 ${wasm_hex} (Envoy: vm_config.code.remote.sha256)")
file(REMOVE_RECURSE "${work}")
