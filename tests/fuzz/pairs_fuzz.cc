// libFuzzer target: header maps as a host may send them. The SDK's parser must never read
// out of bounds (ASan), must agree with the host model's parser (Envoy's rules), and must
// round-trip what it accepts.
#include <proxy_wasm/host/header_list.h>
#include <proxy_wasm/pairs.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto view = proxy_wasm::PairsView::parse(bytes);
  const auto host = proxy_wasm::host::HeaderList::parse(bytes);
  if (!view) {
    // Malformed for the SDK: the host model (Envoy's toPairs) also sees no map.
    if (!host.empty()) std::abort();
    return 0;
  }
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (auto [k, v] : *view) pairs.emplace_back(k, v);
  if (pairs.size() != view->size()) std::abort();
  if (!pairs.empty()) {
    if (view->find(pairs.front().first) != pairs.front().second) std::abort();
    // A well-formed, non-empty map serializes back to exactly the same bytes.
    if (proxy_wasm::serializePairs(pairs) != bytes) std::abort();
  }
  // Envoy's host accepts it too, within its limits (1024 pairs, 1 MiB).
  if (pairs.size() <= 1024 && size <= 1024 * 1024) {
    if (host.size() != pairs.size()) std::abort();
    for (size_t i = 0; i < pairs.size(); ++i)
      if (host.entries()[i].first != pairs[i].first || host.entries()[i].second != pairs[i].second) std::abort();
  }
  return 0;
}
