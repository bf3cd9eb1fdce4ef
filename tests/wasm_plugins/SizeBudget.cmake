# A module stays within its size budget (bytes of the stripped .wasm), so what the size work
# removed (libc's printf, nlohmann's serializer and binary readers: docs/json.md "Size in a
# .wasm") does not come back unnoticed.
#   cmake -DWASM=<module.wasm> -DMAX=<bytes> -P SizeBudget.cmake
if(NOT EXISTS "${WASM}")
  message(FATAL_ERROR "${WASM}: no such module")
endif()
file(SIZE "${WASM}" size)
if(size GREATER MAX)
  message(FATAL_ERROR "${WASM}: ${size} bytes, over its budget of ${MAX}")
endif()
message(STATUS "${WASM}: ${size} bytes (budget ${MAX})")
