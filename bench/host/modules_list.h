// Every wasm2c-translated module linked into bench_requests (generated headers, one per
// module, in the flavour's directory; see bench/CMakeLists.txt). Adding a module: its
// header here, a BENCH_MODULE line in modules.h.
#pragma once

#include "hello_world.h"
#include "http_headers.h"
#include "raw_body.h"
#include "raw_log.h"
#include "raw_plugin.h"
#include "sdk_body.h"
#include "sdk_log.h"
#include "sdk_logdebug.h"
#include "sdk_plugin.h"
