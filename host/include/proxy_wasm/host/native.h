// The native way in: the plugin is linked into the test binary, its exports are plain
// C functions, and the `proxy_*` imports are defined by this library over the host model.
#pragma once

#include <memory>

#include "proxy_wasm/host/guest.h"

namespace proxy_wasm::host {

// The plugin linked into this binary (one per binary: exports are global symbols).
std::unique_ptr<Guest> nativeGuest();

}  // namespace proxy_wasm::host
