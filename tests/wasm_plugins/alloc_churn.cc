// A plugin that allocates the way a busy plugin does, and more: per request a few small
// strings (header copies), a context object, a vector grown by push_back, a block grown by
// realloc, a calloc'ed table, and every 16th request a large buffer (64-320 KiB, like a
// buffered body); the root keeps a ring of 32 strings of varying sizes across requests.
// tests/host/longrun.cc plays lifecycles through it in the engine and fails when linear memory
// grows after the warm-up; built with both allocators (alloc_churn: the SDK's;
// alloc_churn_libc: wasi-libc's / Emscripten's) so that the two can be compared.
#include <proxy_wasm/proxy_wasm.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

uint32_t g_state = 12345;
uint32_t next() {  // xorshift: the same sequence every run
  g_state ^= g_state << 13;
  g_state ^= g_state >> 17;
  g_state ^= g_state << 5;
  return g_state;
}

class ChurnRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  std::string ring[32];
  uint32_t requests = 0;
};

class Churn : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    auto& root = static_cast<ChurnRoot&>(this->root());
    const uint32_t n = ++root.requests;
    if (auto path = getRequestHeader(":path")) path_ = path->str();
    if (auto id = getRequestHeader("x-request-id")) id_ = std::string(id->view()) + std::to_string(n);
    root.ring[next() % 32] = std::string(next() % 600, 'r');
    for (uint32_t i = 0, k = next() % 40; i < k; ++i) items_.push_back(i);
    char* grown = nullptr;
    for (size_t size = 8; size < 2048 + next() % 4096; size *= 2) {
      auto* more = static_cast<char*>(std::realloc(grown, size));
      if (!more) proxy_wasm::fatal("realloc failed");
      more[size - 1] = 1;
      grown = more;
    }
    std::free(grown);
    auto* table = static_cast<uint32_t*>(std::calloc(1 + next() % 64, sizeof(uint32_t)));
    if (!table || table[0] != 0) proxy_wasm::fatal("calloc failed");
    std::free(table);
    if (n % 16 == 0) {
      const size_t size = 65536 + next() % (256 * 1024);
      body_ = static_cast<char*>(std::malloc(size));
      if (!body_) proxy_wasm::fatal("no memory for a body buffer");
      body_[0] = body_[size - 1] = 'b';
    }
    return proxy_wasm::Action::Continue;
  }

  ~Churn() override { std::free(body_); }

 private:
  std::string path_, id_;
  std::vector<uint32_t> items_;
  char* body_ = nullptr;
};

proxy_wasm::RegisterContextFactory<ChurnRoot, Churn> registration{""};

}  // namespace
