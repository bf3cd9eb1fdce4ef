// The raw ABI of the backend a plugin is built for (PROXY_WASM_ABI_VNEXT, config.h): ABI
// v0.2.1 (abi/v0_2_1.h), what every production host speaks, or the vNEXT draft
// (abi/vnext.h). Each ABI's lists live in their own header under abi/; code that needs both
// (the mock host, the engine, the checker) includes them directly.
#pragma once

#include "proxy_wasm/config.h"

#if PROXY_WASM_ABI_VNEXT
#include "proxy_wasm/abi/vnext.h"
#else
#include "proxy_wasm/abi/v0_2_1.h"
#endif
