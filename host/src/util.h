// Helpers shared by the host model's sources (not installed).
#pragma once

#include <cstdint>
#include <optional>

#include "proxy_wasm/abi/v0_2_1.h"

namespace proxy_wasm::host {

// A stream callback's result: Continue for 0, Pause for anything else or a trap.
inline Action toAction(const std::optional<uint32_t>& r) { return (r && *r == 0) ? Action::Continue : Action::Pause; }

}  // namespace proxy_wasm::host
