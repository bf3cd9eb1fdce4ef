# cmake -DRUN=<proxy-wasm-run> -DPLUGIN_WASM=<file.wasm> -DSCENARIO=<scenario.json>
#       [-DEXPECT=<scenario.expect>] -P RunScenario.cmake
#
# Plays the scenario; fails unless proxy-wasm-run exits 0 and every non-empty line of the
# EXPECT file (when it exists) appears in the output, in order, as a whole line (leading
# and trailing spaces ignored).
foreach(_v RUN PLUGIN_WASM SCENARIO)
  if(NOT DEFINED ${_v})
    message(FATAL_ERROR "RunScenario.cmake needs -D${_v}=...")
  endif()
endforeach()

execute_process(COMMAND "${RUN}" "${PLUGIN_WASM}" --scenario "${SCENARIO}"
  OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc)
message("${_out}")
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "proxy-wasm-run exited with ${_rc}: ${_err}")
endif()
if(NOT DEFINED EXPECT OR NOT EXISTS "${EXPECT}")
  return()
endif()

# Whole-line matching on the text itself (CMake lists would mangle brackets and semicolons).
string(REGEX REPLACE "\n[ \t]+" "\n" _rest "\n${_out}\n")
string(REGEX REPLACE "[ \t]+\n" "\n" _rest "${_rest}")
file(STRINGS "${EXPECT}" _expected)
foreach(_e IN LISTS _expected)
  string(STRIP "${_e}" _e)
  if(_e STREQUAL "" OR _e MATCHES "^#")
    continue()
  endif()
  string(FIND "${_rest}" "\n${_e}\n" _pos)
  if(_pos EQUAL -1)
    message(FATAL_ERROR "expected line not found (in order): ${_e}")
  endif()
  string(LENGTH "\n${_e}" _len)
  math(EXPR _pos "${_pos} + ${_len}")
  string(SUBSTRING "${_rest}" ${_pos} -1 _rest)
endforeach()
