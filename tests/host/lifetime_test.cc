// SDK lifetime safety whatever order the host deletes contexts in, through the lifetime
// probe (tests/wasm_plugins/lifetime_probe.cc). The same cases run natively (under the
// sanitize preset ASan names any use of a freed context) and against the probe's .wasm in
// the engine (a wrong object shows in what the probe logs, or as a trap).
//
// The orders: a root deleted before its streams (Envoy tears a plugin's root down while
// requests are in flight: they finish on the root object the SDK keeps), a stream deleted
// from inside its own callout callback (a host call back into the module), a context id
// reused while live or right after its deletion, and deletions of ids the SDK never had.
// Host::deliverCallback delivers each callback as a host would, whatever the host model's
// own state.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;
using Lines = std::vector<std::string>;

namespace doctest {
template <>
struct StringMaker<Lines> {
  static String convert(const Lines& lines) {
    std::string out = "{";
    for (const std::string& l : lines) out += (out.size() > 1 ? ", \"" : "\"") + l + "\"";
    return (out + "}").c_str();
  }
};
}  // namespace doctest

namespace {

std::string n(uint32_t id) { return std::to_string(id); }

// The probe's lines: a context told of its deletion (onDelete), an object freed with
// `left` probe objects still alive, and a stream ended as Envoy ends one (on_log, on_done,
// on_delete, then the object is freed), followed by `then` (its root freed with it).
std::string deleted(uint32_t id, uint32_t root) { return "delete " + n(id) + " of " + n(root) + " 'lifetime'"; }
std::string freed(uint32_t id, int left) { return "free " + n(id) + " (" + std::to_string(left) + " left)"; }
Lines ended(uint32_t id, uint32_t root, int left, const Lines& then = {}) {
  Lines out{"log " + n(id), "done " + n(id), deleted(id, root), freed(id, left)};
  out.insert(out.end(), then.begin(), then.end());
  return out;
}

struct Probe {
  std::unique_ptr<Host> owned = makeHost();
  Host& host = *owned;
  uint32_t root = 0;
  size_t info_seen = 0, errors_seen = 0;  // host.logs() read so far by take() and errors()

  Probe() {
    root = host.startPlugin({"lifetime"});
    REQUIRE(root != 0);
    CHECK(take() == Lines{"new root " + n(root) + " 'lifetime'"});
  }
  // The run ends with no error line from the SDK and no trap.
  void checkClean() {
    CHECK(errors().empty());
    CHECK_FALSE(host.failed());
  }
  // The Info lines logged since the last take(): the probe's record of what ran.
  Lines take() { return since(LogLevel::Info, info_seen); }
  // The Error lines logged since the last errors() (the SDK's own).
  Lines errors() { return since(LogLevel::Error, errors_seen); }
  Lines since(LogLevel level, size_t& seen) {
    Lines out;
    const auto& logs = host.logs();
    for (size_t i = seen; i < logs.size(); ++i)
      if (logs[i].level == level) out.push_back(logs[i].message);
    seen = logs.size();
    return out;
  }
  // A stream whose request headers ran with `ops` in x-op.
  HttpStream& stream(std::string_view ops = {}) {
    HttpStream& s = host.newHttpStream(root);
    HeaderList headers{{":path", "/"}, {":method", "GET"}};
    if (!ops.empty()) headers.add("x-op", ops);
    s.sendRequestHeaders(headers, false);
    return s;
  }
  // A stream that ran and ended: its id.
  uint32_t endedStream() {
    HttpStream& s = stream();
    s.finish();
    take();
    return s.id();
  }
  // How many probe objects are alive, as a fresh root of the same plugin counts them.
  std::string liveSeenByNewRoot() {
    const uint32_t other = host.startPlugin({"lifetime"});
    REQUIRE(other != 0);
    take();
    host.tick(other);
    const Lines lines = take();
    REQUIRE(lines.size() == 1);
    return lines[0];
  }
};

}  // namespace

TEST_CASE_FIXTURE(Probe, "a root deleted before its streams: they keep working on the root the SDK keeps, which goes with the last") {
  HttpStream& a = stream("call");
  HttpStream& b = stream();
  const uint32_t ia = a.id(), ib = b.id();
  const uint32_t token = host.httpCalls().at(0).token;
  take();

  // The host deletes the root first: it is told, but its object waits for its streams.
  host.deliverCallback(Callback::Delete, {root});
  CHECK(take() == Lines{deleted(root, root)});

  // The streams go on: their callbacks run and read their root, the stream's callout
  // response reaches its callback.
  a.sendResponseHeaders({{":status", "200"}}, false);
  CHECK(take() == Lines{"response headers " + n(ia) + " of " + n(root) + " 'lifetime'"});
  REQUIRE(host.respondHttpCall(token, {{":status", "201"}}, "body"));
  CHECK(take() == Lines{"response " + n(ia) + " of " + n(root) + " 'lifetime': status 201"});

  // Root callbacks for the deleted root reach no object.
  host.tick(root);
  CHECK(take().empty());

  // The first stream ends (Envoy's order: log, done, delete): the root stays for the other.
  a.finish();
  CHECK(take() == ended(ia, root, 2));
  b.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(take() == Lines{"response headers " + n(ib) + " of " + n(root) + " 'lifetime'"});
  // The last stream ends: the root goes with it.
  b.finish();
  CHECK(take() == ended(ib, root, 1, {freed(root, 0)}));
  CHECK(liveSeenByNewRoot() == "tick " + n(root + 3) + ": 1 live");  // only the new root

  // The host finishing the root it thinks is alive reaches nothing.
  host.shutdown();
  const Lines at_shutdown = take();
  CHECK(at_shutdown == Lines{"done " + n(root + 3), deleted(root + 3, root + 3),
                             freed(root + 3, 0)});
  checkClean();
}

TEST_CASE_FIXTURE(Probe, "a root deleted with no stream is freed at once; later deletes of its id and its shutdown reach nothing") {
  host.deliverCallback(Callback::Delete, {root});
  CHECK(take() == Lines{deleted(root, root), freed(root, 0)});
  // A second delete of the same id, and the host's own finalization later, reach nothing.
  host.deliverCallback(Callback::Delete, {root});
  host.shutdown();
  CHECK(errors().empty());
  CHECK(take().empty());
  CHECK_FALSE(host.failed());
}

TEST_CASE_FIXTURE(Probe, "a stream deleted inside its own callout callback: the callback finishes on a live object, freed after it") {
  // A host can only call into the module from inside a host call: the foreign function
  // "end_stream" deletes the calling stream (proxy_on_delete) while its callback runs.
  int deletions = 0;
  host.registerForeignFunction("end_stream", [&](std::string_view args, std::string&) {
    ++deletions;
    host.deliverCallback(Callback::Delete, {uint32_t(std::stoul(std::string(args)))});
    return Status(Status::Ok);
  });
  HttpStream& s = stream("call,end-in-callback,pause");
  const uint32_t id = s.id();
  CHECK(take() == Lines{"new http " + n(id) + " of " + n(root),
                            "request headers " + n(id) + " of " + n(root) + " 'lifetime'", "call " + n(id) + ": Ok"});
  REQUIRE(host.respondHttpCall(host.httpCalls().at(0).token, {{":status", "200"}}));
  CHECK(deletions == 1);
  CHECK(take() == Lines{"response " + n(id) + " of " + n(root) + " 'lifetime': status 200",
                            deleted(id, root),
                            "after end_stream " + n(id) + ": Ok kind http root 'lifetime'", freed(id, 1)});
  // The stream has stopped for the plugin: later callbacks for its id reach no object (an
  // error line names the id), and the host's own finalization of it runs nothing.
  s.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(errors() == Lines{"proxy-wasm: callback for unknown or mismatched context " + n(id)});
  CHECK(take().empty());
  s.finish();
  CHECK(errors().empty());
  CHECK(take().empty());
  CHECK(liveSeenByNewRoot() == "tick " + n(id + 1) + ": 2 live");
  CHECK_FALSE(host.failed());
}

TEST_CASE_FIXTURE(Probe, "a live stream's id reused for a new stream: the old object is retired unnotified, the new one gets the callbacks") {
  HttpStream& s = stream("call");
  const uint32_t id = s.id();
  take();
  host.deliverCallback(Callback::ContextCreate, {id, root});
  // The host forgot the old stream (it reuses the id): no onDelete; its callout goes with it.
  CHECK(take() == Lines{"new http " + n(id) + " of " + n(root), freed(id, 2)});
  REQUIRE(host.respondHttpCall(host.httpCalls().at(0).token, {{":status", "200"}}));
  CHECK(take().empty());  // the old stream's callback does not run
  s.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(take() == Lines{"response headers " + n(id) + " of " + n(root) + " 'lifetime'"});
  s.finish();
  CHECK(take() == ended(id, root, 1));
  checkClean();
}

TEST_CASE_FIXTURE(Probe, "a just-deleted stream's id reused: a new object, called and deleted like any") {
  const uint32_t id = endedStream();
  host.deliverCallback(Callback::ContextCreate, {id, root});
  host.deliverCallback(Callback::RequestHeaders, {id, 0, 1});
  host.deliverCallback(Callback::Delete, {id});
  CHECK(take() == Lines{"new http " + n(id) + " of " + n(root),
                            "request headers " + n(id) + " of " + n(root) + " 'lifetime'",
                            deleted(id, root), freed(id, 1)});
  checkClean();
}

TEST_CASE_FIXTURE(Probe, "a deleted root's id reused for a new root while the old root's streams live: each stream keeps its own root") {
  HttpStream& s = stream();
  const uint32_t id = s.id();
  host.deliverCallback(Callback::Delete, {root});
  take();
  // A new root with the same id (its root id comes from the host's plugin_root_id).
  host.deliverCallback(Callback::ContextCreate, {root, 0});
  CHECK(take() == Lines{"new root " + n(root) + " 'lifetime'"});
  s.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(take() == Lines{"response headers " + n(id) + " of " + n(root) + " 'lifetime'"});
  s.finish();  // frees the stream and the old root, not the new one
  CHECK(take() == ended(id, root, 2, {freed(root, 1)}));
  host.tick(root);  // the new root takes the root's callbacks
  CHECK(take() == Lines{"tick " + n(root) + ": 1 live"});
  host.shutdown();
  CHECK(take() == Lines{"done " + n(root), deleted(root, root),
                            freed(root, 0)});
  checkClean();
}

TEST_CASE_FIXTURE(Probe, "a live root's id reused for a new root: the old root is retired unnotified and kept for its streams") {
  HttpStream& s = stream();
  const uint32_t id = s.id();
  take();
  host.deliverCallback(Callback::ContextCreate, {root, 0});
  CHECK(take() == Lines{"new root " + n(root) + " 'lifetime'"});  // the old one waits for its stream
  s.finish();
  CHECK(take() == ended(id, root, 2, {freed(root, 1)}));
  checkClean();
}

TEST_CASE_FIXTURE(Probe, "a new root created with a live stream's id retires the stream") {
  HttpStream& s = stream();
  const uint32_t id = s.id();
  take();
  host.deliverCallback(Callback::ContextCreate, {id, 0});
  CHECK(take() == Lines{"new root " + n(id) + " 'lifetime'", freed(id, 2)});
  // The host's later stream callbacks for the id reach the root, not a stream: refused.
  s.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(errors() == Lines{"proxy-wasm: callback for unknown or mismatched context " + n(id)});
  CHECK(take().empty());
  CHECK_FALSE(host.failed());
}

TEST_CASE_FIXTURE(Probe, "deletes and finalization of ids the SDK does not have reach nothing") {
  const uint32_t id = endedStream();
  for (uint32_t unknown : {0u, id, id + 100, 0xFFFFFFFFu}) {
    CAPTURE(unknown);
    CHECK(host.deliverCallback(Callback::Log, {unknown}) == 0u);
    CHECK(host.deliverCallback(Callback::Done, {unknown}) == 1u);  // done: nothing holds it
    CHECK(host.deliverCallback(Callback::Delete, {unknown}) == 0u);
  }
  CHECK(errors().empty());
  CHECK(take().empty());
  // A stream created for a root the SDK does not have is refused, with an error line.
  host.deliverCallback(Callback::ContextCreate, {id + 200, id + 100});
  CHECK(errors() ==
        Lines{"proxy-wasm: context " + n(id + 200) + " created with unknown root context " + n(id + 100)});
  CHECK(take().empty());
  CHECK(liveSeenByNewRoot() == "tick " + n(id + 1) + ": 2 live");
  CHECK_FALSE(host.failed());
}
