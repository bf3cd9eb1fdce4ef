# Checks which proxy_on_* callbacks a module exports: exactly the five every module has
# (allocator, context creation and deletion, start, configuration) plus OPTIONAL, the
# callbacks its code can use (docs/abi.md, "Callbacks").
#   cmake -DOBJDUMP=wasm-objdump -DWASM=<module> -DOPTIONAL="proxy_on_tick;..." -P ExportSet.cmake
execute_process(COMMAND ${OBJDUMP} -x -j Export ${WASM} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "${OBJDUMP} -x ${WASM} failed")
endif()
string(REGEX MATCHALL "-> \"proxy_on_[a-z_]+\"" hits "${out}")
set(exported "")
foreach(h ${hits})
  string(REGEX REPLACE "^-> \"(.*)\"$" "\\1" name "${h}")
  list(APPEND exported ${name})
endforeach()
set(expected proxy_on_memory_allocate proxy_on_context_create proxy_on_vm_start proxy_on_configure proxy_on_delete
    ${OPTIONAL})
list(SORT exported)
list(SORT expected)
if(NOT exported STREQUAL expected)
  set(extra ${exported})
  list(REMOVE_ITEM extra ${expected})
  set(missing ${expected})
  list(REMOVE_ITEM missing ${exported})
  message(FATAL_ERROR "${WASM}: exports differ from what its code can use\n  unexpected: ${extra}\n  missing: ${missing}")
endif()
message(STATUS "${WASM}: exports ${exported}")
