# proxy_wasm_add_oci_image(<plugin> [TAG <tag>...] [ROOT_IDS <root-id>...])
#
# Packs <plugin>'s .wasm (a target from proxy_wasm_add_plugin) as OCI images Istio's
# WasmPlugin pulls, with CMake, tar and gzip alone (no Docker, no registry), reproducibly:
# fixed timestamps and owners, so the same .wasm always gives the same bytes and digests.
# In the plugin's binary directory, target <plugin>_oci (part of `all`) writes:
#   <plugin>.oci/            OCI image layout, the Docker-compatible variant ("compat"): one
#                            tar+gzip layer holding plugin.wasm, a standard image config,
#                            annotation module.wasm.image/variant=compat. Every registry and
#                            tool takes it (skopeo copy --format v2s2 makes a Docker image).
#   <plugin>.oci.tar         the same layout as an archive (oci-archive: transport)
#   <plugin>.artifact.oci/   OCI image layout, the Wasm artifact variant: config
#                            application/vnd.module.wasm.config.v1+json, one layer
#                            application/vnd.module.wasm.content.layer.v1+wasm (the module)
#   <plugin>.artifact.oci.tar
#   <plugin>.wasm.sha256     the module's sha256 (Envoy's remote source: vm_config.code.remote.sha256)
#   <plugin>.oci.digests     the manifest digest of each variant and tag
# and prints the module's sha256 and each image's digest. Each layout holds one reference per
# TAG (default: latest). ROOT_IDS go into the artifact's runtime config (root_ids).
# Push with e.g.: skopeo copy oci:<plugin>.oci:latest docker://registry.example/<plugin>:latest
include_guard(GLOBAL)
set_property(GLOBAL PROPERTY _PROXY_WASM_OCI_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/ProxyWasmOciImage.cmake")

function(proxy_wasm_add_oci_image plugin)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "TAG;ROOT_IDS")
  set(who "proxy_wasm_add_oci_image(${plugin})")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${who}: unknown arguments: ${ARG_UNPARSED_ARGUMENTS} (options: TAG, ROOT_IDS)")
  endif()
  if(NOT TARGET ${plugin})
    message(FATAL_ERROR "${who}: ${plugin} is not a target (declare it with proxy_wasm_add_plugin first)")
  endif()
  if(NOT ARG_TAG)
    set(ARG_TAG latest)
  endif()
  foreach(tag ${ARG_TAG})
    if(NOT tag MATCHES "^[A-Za-z0-9_][A-Za-z0-9_.-]*$" OR tag MATCHES "^.{129}")
      message(FATAL_ERROR "${who}: '${tag}' is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})")
    endif()
  endforeach()
  # The sub-build of a native build: the native build packs the module.
  if(PROXY_WASM_SUBBUILD_TOOLCHAIN)
    return()
  endif()
  get_target_property(wasm ${plugin} PROXY_WASM_WASM_FILE)
  if(NOT wasm)
    message(FATAL_ERROR "${who}: ${plugin} has no .wasm in this build (PROXY_WASM_WASM_SUBBUILD is OFF?)")
  endif()
  find_program(PROXY_WASM_TAR NAMES tar gtar)
  find_program(PROXY_WASM_GZIP NAMES gzip)
  if(NOT PROXY_WASM_TAR OR NOT PROXY_WASM_GZIP)
    message(FATAL_ERROR "${who}: OCI images need GNU tar and gzip: apt-get install tar gzip")
  endif()
  get_property(script GLOBAL PROPERTY _PROXY_WASM_OCI_SCRIPT)
  string(REPLACE ";" "," tags "${ARG_TAG}")
  string(REPLACE ";" "," root_ids "${ARG_ROOT_IDS}")
  add_custom_target(${plugin}_oci ALL
    COMMAND ${CMAKE_COMMAND} -DWASM=${wasm} -DOUT=${CMAKE_CURRENT_BINARY_DIR} -DNAME=${plugin}
            -DTAGS=${tags} -DROOT_IDS=${root_ids} -DTAR=${PROXY_WASM_TAR} -DGZIP=${PROXY_WASM_GZIP}
            -P "${script}"
    COMMENT "OCI images of ${plugin}.wasm for Istio"
    VERBATIM)
  get_target_property(wasm_target ${plugin} PROXY_WASM_WASM_TARGET)
  if(wasm_target)
    add_dependencies(${plugin}_oci ${wasm_target})  # the sub-build that makes the module
  else()
    add_dependencies(${plugin}_oci ${plugin})
  endif()
endfunction()
