// The mock host's own probe plugin (root id "probe"), built natively and as .wasm so that
// tests/host/host_calls_test.cc runs the same cases both ways. It calls host functions
// through the raw ABI (include/proxy_wasm/abi.h) and logs what each returned, so a test
// can compare what the plugin got with what the host recorded or injected.
//
// The request header `x-probe` lists operations, separated by commas; each logs
// "<host function> -> <status>" at Info:
//   log        proxy_log(Info, "probe")
//   get        proxy_get_header_map_value(request headers, ":path")   (also logs the value)
//   call       proxy_http_call("cluster", GET / authority "a")        (also logs the token)
//   property   proxy_get_property("plugin_root_id")
//   shared     proxy_get_shared_data("k")
//   remember   keep this stream's id; later ticks act on it through proxy_set_effective_context
// A tick: proxy_set_effective_context(remembered stream), then "get" on it.
#include <proxy_wasm/abi.h>
#include <proxy_wasm/proxy_wasm.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

uint32_t g_remembered = 0;

void info(const std::string& message) { proxy_log(2, message.data(), message.size()); }

void logStatus(const char* function, uint32_t status, const std::string& extra = {}) {
  info(std::string(function) + " -> " + std::to_string(status) + (extra.empty() ? "" : " " + extra));
}

void appendU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}

// The pairs format, for the callout's headers.
std::string pairs(std::initializer_list<std::pair<std::string_view, std::string_view>> entries) {
  std::string out;
  appendU32(out, uint32_t(entries.size()));
  for (auto& [k, v] : entries) {
    appendU32(out, uint32_t(k.size()));
    appendU32(out, uint32_t(v.size()));
  }
  for (auto& [k, v] : entries) {
    out.append(k);
    out.push_back('\0');
    out.append(v);
    out.push_back('\0');
  }
  return out;
}

void getPath(uint32_t map) {
  char* value = nullptr;
  size_t size = 0;
  const uint32_t s = proxy_get_header_map_value(map, ":path", 5, &value, &size);
  logStatus("proxy_get_header_map_value", s, s == 0 ? std::string(value, size) : std::string());
  std::free(value);
}

void run(std::string_view op, uint32_t stream) {
  if (op == "log") {
    logStatus("proxy_log", proxy_log(2, "probe", 5));
  } else if (op == "get") {
    getPath(0);
  } else if (op == "call") {
    const std::string headers = pairs({{":method", "GET"}, {":path", "/"}, {":authority", "a"}});
    uint32_t token = 0;
    const uint32_t s = proxy_http_call("cluster", 7, headers.data(), headers.size(), nullptr, 0, nullptr, 0, 1000, &token);
    logStatus("proxy_http_call", s, std::to_string(token));
  } else if (op == "property") {
    char* value = nullptr;
    size_t size = 0;
    const uint32_t s = proxy_get_property("plugin_root_id", 14, &value, &size);
    logStatus("proxy_get_property", s, s == 0 ? std::string(value, size) : std::string());
    std::free(value);
  } else if (op == "shared") {
    char* value = nullptr;
    size_t size = 0;
    uint32_t cas = 0;
    const uint32_t s = proxy_get_shared_data("k", 1, &value, &size, &cas);
    logStatus("proxy_get_shared_data", s, s == 0 ? std::string(value, size) : std::string());
    std::free(value);
  } else if (op == "remember") {
    g_remembered = stream;
  }
}

class ProbeRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  void onTick() override {
    logStatus("proxy_set_effective_context", proxy_set_effective_context(g_remembered));
    getPath(0);
  }
};

class ProbeStream : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    char* value = nullptr;
    size_t size = 0;
    if (proxy_get_header_map_value(0, "x-probe", 7, &value, &size) != 0) return proxy_wasm::Action::Continue;
    const std::string ops(value, size);
    std::free(value);
    size_t start = 0;
    while (start <= ops.size()) {
      size_t end = ops.find(',', start);
      if (end == std::string::npos) end = ops.size();
      run(std::string_view(ops).substr(start, end - start), id());
      start = end + 1;
    }
    return proxy_wasm::Action::Continue;
  }
};

proxy_wasm::RegisterContextFactory<ProbeRoot, ProbeStream> registration{"probe"};

}  // namespace
