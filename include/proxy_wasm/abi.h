// The raw ABI of the backend a plugin is built for: ABI v0.2.1 (abi/v0_2_1.h), what every
// production host speaks. The lists of each ABI live in their own header under abi/;
// code that needs both (the mock host, the engine, the checker) includes them directly.
#pragma once

#include "proxy_wasm/abi/v0_2_1.h"
