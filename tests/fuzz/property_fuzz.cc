// libFuzzer: the SDK's typed property decoding on arbitrary host bytes. Natively against
// the mock host: every property a typed reader or an attribute helper of properties.h
// reads is set to the fuzz input, then a root tick reads them all (getPropertyInt/Uint/
// Double/Bool/Duration/Timestamp/Map/List/String and the attributes), iterating maps and
// lists. A wrong size is SerializationFailure, a malformed map or list is
// SerializationFailure: never a crash, an out-of-bounds read, UB or a leak.
#include <proxy_wasm/proxy_wasm.h>
#include <proxy_wasm/testing.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace {

size_t g_sink = 0;  // keeps the reads observable

template <class T>
void use(const proxy_wasm::Maybe<T>& m) {
  g_sink += m.ok() ? 1 : 2;
  if (m.has_value()) g_sink += 3;
}
void use(const proxy_wasm::Maybe<proxy_wasm::HeaderMap>& m) {
  g_sink += m.ok() ? 1 : 2;
  if (!m) return;
  for (const auto& [k, v] : *m) g_sink += k.size() + v.size();
  g_sink += m->size();
  if (auto first = m->find("a")) g_sink += first->size();
}

void readAll(proxy_wasm::RootContext& root) {
  using namespace proxy_wasm;
  using namespace proxy_wasm::attributes;
  use(getPropertyString("fuzz"));
  use(getPropertyInt("fuzz"));
  use(getPropertyUint("fuzz"));
  use(getPropertyDouble("fuzz"));
  use(getPropertyBool("fuzz"));
  use(getPropertyDuration("fuzz"));
  use(getPropertyTimestamp("fuzz"));
  use(getPropertyMap("fuzz"));
  {
    auto list = getPropertyList("fuzz");
    use(list);
    if (list)
      for (std::string_view item : *list) g_sink += item.size();
  }
  use(root.getProperty({"fuzz", "nested"}));
  // The attributes of properties.h, each reading its own path (set to the input too).
  use(requestPath());
  use(requestHeaders());
  use(requestTime());
  use(requestDuration());
  use(requestSize());
  use(responseCode());
  use(responseFlags());
  use(responseHeaders());
  use(responseTrailers());
  use(connectionId());
  use(connectionMtls());
  use(sourcePort());
  use(destinationAddress());
  use(pluginName());
}

class Root : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  void onTick() override { readAll(*this); }
};
proxy_wasm::RegisterContextFactory<Root> registration{"fuzz"};

const char* const kPaths[] = {
    "fuzz", "fuzz\0nested", "request\0path", "request\0headers", "request\0time", "request\0duration",
    "request\0size", "response\0code", "response\0flags", "response\0headers", "response\0trailers",
    "connection\0id", "connection\0mtls", "source\0port", "destination\0address", "plugin_name",
};
const size_t kPathSizes[] = {4, 11, 12, 15, 12, 16, 12, 13, 14, 16, 17, 13, 15, 11, 19, 11};

struct Harness {
  std::unique_ptr<proxy_wasm::host::Host> host;
  uint32_t root = 0;
  Harness() {
    proxy_wasm::testing::HostOptions options;
    options.record_host_calls = false;
    host = proxy_wasm::testing::makeHost(options);
    root = host->startPlugin({"fuzz"});
    if (root == 0) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* h = new Harness();  // one VM for the whole run, as a proxy keeps it
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (size_t i = 0; i < sizeof(kPathSizes) / sizeof(kPathSizes[0]); ++i)
    h->host->setProperty(std::string_view(kPaths[i], kPathSizes[i]), input);
  h->host->tick(h->root);
  if (h->host->failed()) std::abort();  // the SDK trapped on host bytes
  h->host->clearLogs();
  return 0;
}
