# A plugin's memcpy/memmove/memset are the bulk-memory instructions (proxy_wasm/runtime.h),
# not wasi-libc's unrolled loops: the disassembly of WASM holds memory.copy and memory.fill.
#   cmake -DOBJDUMP=wasm-objdump -DWASM=<module.wasm> -P BulkMemory.cmake
execute_process(COMMAND ${OBJDUMP} -d ${WASM} OUTPUT_VARIABLE dis RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${OBJDUMP} -d ${WASM} failed: ${err}")
endif()
foreach(op memory.copy memory.fill)
  string(REGEX MATCHALL " ${op}[ \n]" hits "${dis}")
  list(LENGTH hits n)
  if(n EQUAL 0)
    message(FATAL_ERROR "${WASM}: no ${op}: memcpy/memset are not the bulk-memory instructions")
  endif()
  message(STATUS "${WASM}: ${op} x${n}")
endforeach()
