# cmake -DCMD="prog;arg;..." -DEXIT=<status> [-DREGEX=<regex>] [-DNOT_REGEX=<regex>] -P ExpectRun.cmake
#
# Runs the command; fails unless it exits with EXIT and its output (stdout and stderr
# together) matches REGEX and does not match NOT_REGEX.
execute_process(COMMAND ${CMD} OUTPUT_VARIABLE _out ERROR_VARIABLE _out RESULT_VARIABLE _rc)
string(LENGTH "${_out}" _len)
if(_len GREATER 20000)
  string(SUBSTRING "${_out}" 0 20000 _shown)
  message("${_shown}\n... (${_len} bytes of output)")
else()
  message("${_out}")
endif()
if(NOT "${_rc}" STREQUAL "${EXIT}")
  message(FATAL_ERROR "exit status ${_rc}, expected ${EXIT}")
endif()
if(DEFINED REGEX AND NOT _out MATCHES "${REGEX}")
  message(FATAL_ERROR "output does not match: ${REGEX}")
endif()
if(DEFINED NOT_REGEX AND _out MATCHES "${NOT_REGEX}")
  message(FATAL_ERROR "output matches: ${NOT_REGEX}")
endif()
