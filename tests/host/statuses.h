// Status wire values for the host-model suites (docs/abi.md §4: the statuses, and per function
// in §3 which of them each host function answers).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proxy_wasm/abi/v0_2_1.h"

namespace {

using Trace = std::vector<std::string>;
inline uint32_t st(proxy_wasm::Status s) { return s.code(); }
constexpr uint32_t kOk = 0;
const uint32_t kNF = st(proxy_wasm::Status::NotFound), kBA = st(proxy_wasm::Status::BadArgument),
               kIMA = st(proxy_wasm::Status::InvalidMemoryAccess);

}  // namespace
