// The plugin behind tests/sdk/design_notes_test.cc: the behaviours docs/design-notes.md
// pins that no other suite covers.
#include <proxy_wasm/proxy_wasm.h>

#include <string>

class DesignNotes : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    // Log lines are bytes: no UTF-8 validation on either side (design notes, "UTF-8 logs").
    proxy_wasm::logInfo(std::string_view("caf\xc3\xa9 \xff\xfe raw", 12));
    // Pseudo-headers are ordinary lower-case keys of the request map.
    if (auto method = getRequestHeader(":method")) proxy_wasm::logInfo("method=", method->view());
    if (auto authority = getRequestHeader(":authority")) proxy_wasm::logInfo("authority=", authority->view());
    // Module -> host memory is borrowed for the call only: the host copies what it keeps.
    std::string value = "borrowed-value";
    if (auto s = addRequestHeader("x-borrowed", value); !s) proxy_wasm::logWarn("cannot add x-borrowed: ", s);
    value.assign(value.size(), '#');  // the host must not see this
    return proxy_wasm::Action::Continue;
  }
};

static proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, DesignNotes> registration{"design_notes"};
