// Properties: paths, Envoy's attributes by phase, filter state, host values.
//
// Cases driven through the fake guest (fake_guest.h) and through the natively linked
// test plugin (model_fixture.h).
#include "fake_guest.h"
#include "model_fixture.h"

TEST_CASE("properties: statuses, NUL-joined paths") {
  HostOptions o;
  o.vm_id = "the-vm";
  o.properties[std::string("node\0id", 7)] = "node-1";
  o.properties[std::string("a\0b\0c\0d\0e", 9)] = "deep";
  Fx f(o);
  const uint32_t root = f.H().startPlugin(PluginOptions{"rid", "", "pname"});
  f.inTick(root, [&] {
    std::string v;
    CHECK(f.getProperty("plugin_name", &v) == kOk);
    CHECK(v == "pname");
    CHECK(f.getProperty("plugin_root_id", &v) == kOk);
    CHECK(v == "rid");
    CHECK(f.getProperty(std::string("plugin_vm_id\0", 13), &v) == kOk);  // CSDK's trailing NUL
    CHECK(v == "the-vm");
    CHECK(f.getProperty(std::string("node\0id", 7), &v) == kOk);
    CHECK(v == "node-1");
    CHECK(f.getProperty(std::string("node\0id\0", 8), &v) == kOk);
    CHECK(f.getProperty("node.id") == kNF);  // dots are not separators
    // Paths of any length and depth (the host splits them in place, without allocating).
    CHECK(f.getProperty(std::string("a\0b\0c\0d\0e", 9), &v) == kOk);
    CHECK(v == "deep");
    CHECK(f.getProperty(std::string("a\0b\0c\0d\0e\0", 10), &v) == kOk);
    CHECK(f.getProperty(std::string("a\0b\0c\0d", 7)) == kNF);
    CHECK(f.getProperty(std::string(4000, '\0')) == kNF);
    CHECK(f.getProperty(std::string(1, '\0')) == kNF);
    CHECK(f.getProperty(std::string()) == kNF);
    CHECK(f.getProperty(std::string("request\0path", 12)) == kNF);  // no stream
    CHECK(f.setProperty("k", "v") == kNF);                        // no stream
    CHECK(abi::proxy_get_property(f.model(), f.M(), kOob, 4, f.slot(), f.slot()) == kIMA);
    auto k = f.in("k");
    CHECK(abi::proxy_set_property(f.model(), f.M(), k.p, k.n, kOob, 1) == kIMA);
  });
}

TEST_CASE_FIXTURE(Fixture, "properties: NUL-joined paths, plugin attributes, request/response values by phase") {
  HostOptions o;
  o.vm_id = "vm-1";
  with(o);
  const uint32_t root = host->startPlugin({"http", "", "my-plugin"});
  hooks().on_request_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    std::string v;
    CHECK(propGet("plugin_name", &v) == kOk);
    CHECK(v == "my-plugin");
    CHECK(propGet(path({"plugin_root_id"}, true), &v) == kOk);  // CSDK's trailing NUL
    CHECK(v == "http");
    CHECK(propGet("plugin_vm_id", &v) == kOk);
    CHECK(v == "vm-1");
    CHECK(propGet(path({"request", "path"}), &v) == kOk);
    CHECK(v == "/a?b");
    CHECK(propGet(path({"request", "path"}, true), &v) == kOk);
    CHECK(propGet(path({"request", "method"}), &v) == kOk);
    CHECK(v == "POST");
    CHECK(propGet(path({"request", "headers", "x-a"}), &v) == kOk);
    CHECK(v == "1");
    CHECK(propGet(path({"request", "headers"}), &v) == kOk);
    CHECK(v == HeaderList{{":path", "/a?b"}, {":method", "POST"}, {"x-a", "1"}}.serialize());
    CHECK(propGet(path({"request", "headers", "x-none"})) == kNF);
    CHECK(propGet("request.path") == kNF);  // dots are not separators
    CHECK(propGet(path({"response", "code"})) == kNF);
    CHECK(propSet("my_state", "hello") == kOk);
    CHECK(propSet(path({"a", "b"}), "nested") == kOk);
    CHECK(propSet(path({"trail"}, true), "t") == kOk);
    return Action::Continue;
  };
  hooks().on_response_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    std::string v;
    CHECK(propGet(path({"request", "path"})) == kNF);  // the request phase continued (envoy#24194)
    CHECK(propGet(path({"response", "code"}), &v) == kOk);
    CHECK(le64(v) == 201);
    CHECK(propGet("my_state", &v) == kOk);  // set_property then get_property on the stream
    CHECK(v == "hello");
    CHECK(propGet(path({"my_state"}, true), &v) == kOk);
    // Envoy stores the path as sent but reads filter state by its first segment only.
    CHECK(propGet(path({"a", "b"})) == kNF);
    CHECK(propGet("trail") == kNF);
    return Action::Continue;
  };
  bool logged = false;
  hooks().on_log = [&](proxy_wasm::ContextBase&) {
    logged = true;
    std::string v;
    CHECK(propGet(path({"request", "path"}), &v) == kOk);  // access-log headers
    CHECK(v == "/a?b");
    CHECK(propGet(path({"response", "code"}), &v) == kOk);
    CHECK(le64(v) == 201);
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/a?b"}, {":method", "POST"}, {"x-a", "1"}}, true);
  s.sendResponseHeaders({{":status", "201"}}, true);
  s.finish();
  CHECK(logged);
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    CHECK(propSet("k", "v") == kNF);  // no stream on a root
    CHECK(propGet(path({"request", "path"})) == kNF);
    std::string v;
    CHECK(propGet("plugin_root_id", &v) == kOk);
    Owned out;
    CHECK(proxy_get_property(nullptr, 3, &out.p, &out.n) == kIMA);
  };
  host->tick(root);
}

TEST_CASE_FIXTURE(Fixture, "properties: response.code from a local response, TCP filter state, host values") {
  HostOptions o;
  o.properties[path({"node", "id"})] = "node-7";
  with(o);
  host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    CHECK(ctx.sendLocalResponse(429, "slow down") == Status::Ok);
    return Action::Continue;
  };
  hooks().on_log = [&](proxy_wasm::ContextBase&) {
    std::string v;
    CHECK(propGet(path({"response", "code"}), &v) == kOk);
    CHECK(le64(v) == 429);
    CHECK(propGet(path({"node", "id"}), &v) == kOk);
    CHECK(v == "node-7");
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.finish();
  hooks().on_downstream_data = [&](proxy_wasm::StreamContext&, size_t, bool) {
    std::string v;
    CHECK(propSet("conn_state", "x") == kOk);
    CHECK(propGet("conn_state", &v) == kOk);
    CHECK(v == "x");
    CHECK(propGet(path({"source", "address"}), &v) == kOk);  // a per-connection value set by the test
    CHECK(v == "10.0.0.1:1234");
    return Action::Continue;
  };
  auto& c = host->newConnection(tcp);
  c.setProperty(path({"source", "address"}), "10.0.0.1:1234");
  c.sendDownstreamData("x");
}
