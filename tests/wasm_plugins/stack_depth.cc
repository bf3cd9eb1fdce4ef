// A plugin whose onRequestHeaders recurses `x-depth` times, each frame holding 1 KiB on the
// shadow stack. 32 frames fit the 64 KiB stack proxy_wasm_add_plugin gives every plugin; 66
// overflow it by a few KiB — less than the 16 KiB of globals below the stack in wasm-ld's
// default layout, where such an overflow would silently overwrite them. With the stack placed
// first the overflow runs below address 0 and traps in onRequestHeaders itself.
#include <proxy_wasm/proxy_wasm.h>

#include <charconv>
#include <cstring>
#include <string>

namespace {

// Globals a silent overflow would corrupt: a canary the plugin checks on every request.
char g_ballast[16 * 1024] = {1};
uint32_t g_canary = 0xC0FFEE;

__attribute__((noinline)) uint32_t recurse(uint32_t depth) {
  volatile char frame[1024];
  std::memset(const_cast<char*>(frame), int(depth & 0x7f), sizeof(frame));
  if (depth == 0) return frame[0];
  return recurse(depth - 1) + frame[depth % sizeof(frame)];  // no tail call: the frame stays live
}

class Deep : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    if (g_canary != 0xC0FFEE || g_ballast[0] != 1) proxy_wasm::fatal("globals overwritten by the stack");
    auto depth = getRequestHeader("x-depth");
    uint32_t n = 0;
    if (depth) std::from_chars(depth->view().data(), depth->view().data() + depth->view().size(), n);
    const uint32_t sum = recurse(n);
    if (auto s = addRequestHeader("x-sum", std::to_string(sum) + " " + std::to_string(g_ballast[n % sizeof(g_ballast)]));
        s != proxy_wasm::Status::Ok)
      proxy_wasm::logWarn("cannot add x-sum: ", s);
    return proxy_wasm::Action::Continue;
  }
};

}  // namespace

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, Deep> registration{"stack_depth"};
