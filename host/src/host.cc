// The host model: state and semantics of an Envoy-like v0.2.1 host (see host.h).
#include "proxy_wasm/host/host.h"

#include <algorithm>
#include <cstring>

namespace proxy_wasm::host {

namespace {

uint32_t loadU32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(b[0]) | (uint32_t(b[1]) << 8) | (uint32_t(b[2]) << 16) | (uint32_t(b[3]) << 24);
}

void appendU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}

std::string u64Bytes(uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
  return out;
}

constexpr uint32_t kMetricCounter = 0, kMetricGauge = 1, kMetricHistogram = 2;

// Splits a NUL-joined property path; a trailing empty segment is ignored (CSDK sends one).
std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('\0', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

std::string joinPath(const std::vector<std::string_view>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out.push_back('\0');
    out.append(parts[i]);
  }
  return out;
}

}  // namespace

std::string lowerCase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// ---- HeaderList -----------------------------------------------------------------------------

HeaderList::HeaderList(std::initializer_list<std::pair<std::string_view, std::string_view>> init) {
  for (auto& [k, v] : init) add(k, v);
}
HeaderList::HeaderList(const Headers& init) {
  for (auto& [k, v] : init) add(k, v);
}
void HeaderList::add(std::string_view key, std::string_view value) {
  entries_.emplace_back(lowerCase(key), std::string(value));
}
void HeaderList::replace(std::string_view key, std::string_view value) {
  const std::string k = lowerCase(key);
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Header& h) { return h.first == k; });
  if (it == entries_.end()) {
    entries_.emplace_back(k, std::string(value));
    return;
  }
  it->second = std::string(value);
  const size_t keep = size_t(it - entries_.begin());
  size_t i = 0;
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const Header& h) { return i++ != keep && h.first == k; }),
                 entries_.end());
}
void HeaderList::remove(std::string_view key) {
  const std::string k = lowerCase(key);
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [&](const Header& h) { return h.first == k; }),
                 entries_.end());
}
std::optional<std::string_view> HeaderList::get(std::string_view key) const {
  const std::string k = lowerCase(key);
  for (auto& [hk, hv] : entries_)
    if (hk == k) return std::string_view(hv);
  return std::nullopt;
}
std::vector<std::string> HeaderList::getAll(std::string_view key) const {
  const std::string k = lowerCase(key);
  std::vector<std::string> out;
  for (auto& [hk, hv] : entries_)
    if (hk == k) out.push_back(hv);
  return out;
}
size_t HeaderList::byteSize() const {
  size_t n = 0;
  for (auto& [k, v] : entries_) n += k.size() + v.size();
  return n;
}
std::string HeaderList::serialize() const {
  if (entries_.empty()) return {};  // hosts send an empty map as no bytes
  std::string out;
  appendU32(out, uint32_t(entries_.size()));
  for (auto& [k, v] : entries_) {
    appendU32(out, uint32_t(k.size()));
    appendU32(out, uint32_t(v.size()));
  }
  for (auto& [k, v] : entries_) {
    out.append(k);
    out.push_back('\0');
    out.append(v);
    out.push_back('\0');
  }
  return out;
}
HeaderList HeaderList::parse(std::string_view bytes) {
  HeaderList out;
  if (bytes.size() < 4) return out;
  const uint32_t n = loadU32(bytes.data());
  if (n > 1024 || bytes.size() > 1024 * 1024) return out;  // Envoy's host limits
  if (uint64_t(n) * 8 > bytes.size() - 4) return {};
  size_t pos = 4 + size_t(n) * 8;
  for (uint32_t i = 0; i < n; ++i) {
    const size_t kl = loadU32(bytes.data() + 4 + 8 * i), vl = loadU32(bytes.data() + 8 + 8 * i);
    if (pos + kl + 1 + vl + 1 > bytes.size()) return {};
    if (bytes[pos + kl] != '\0' || bytes[pos + kl + 1 + vl] != '\0') return {};
    // Keys as sent (the plugin's own maps are lower-cased by the operations that use them).
    out.entries_.emplace_back(std::string(bytes.substr(pos, kl)), std::string(bytes.substr(pos + kl + 1, vl)));
    pos += kl + vl + 2;
  }
  if (pos != bytes.size()) return {};
  return out;
}

// ---- Host: lifecycle ------------------------------------------------------------------------

Host::Host(std::unique_ptr<Guest> guest, HostOptions options)
    : guest_(std::move(guest)), options_(std::move(options)), now_ns_(options_.start_time_ns) {
  guest_->attach(*this);
}

Host::~Host() {
  if (!shut_down_) shutdown();
}

void Host::fail(std::string reason) {
  if (!failed_) {
    failed_ = true;
    failure_ = std::move(reason);
  }
}

void Host::violation(std::string message) { violations_.push_back(std::move(message)); }

bool Host::startVm() {
  if (vm_started_) return !failed_;
  vm_started_ = true;
  if (!guest_->has(Callback::Initialize)) return true;
  in_startup_ = true;
  CallResult r = guest_->call(Callback::Initialize, {});
  in_startup_ = false;
  if (!r.ok) fail("_initialize failed: " + r.error);
  return !failed_;
}

std::optional<uint32_t> Host::call(Callback cb, uint32_t context, std::initializer_list<uint32_t> args) {
  if (failed_) return std::nullopt;
  const CallbackInfo& info = callbackInfo(cb);
  if (!guest_->has(cb)) {
    // Host defaults for absent callbacks: Continue, true, no-op.
    const bool truthy = cb == Callback::VmStart || cb == Callback::Configure || cb == Callback::Done;
    return truthy ? 1u : 0u;
  }
  const uint32_t saved_current = current_, saved_effective = effective_;
  const Callback saved_cb = current_callback_;
  current_ = context;
  effective_ = 0;
  current_callback_ = cb;
  ++depth_;
  CallResult r = guest_->call(cb, args);
  --depth_;
  current_ = saved_current;
  effective_ = saved_effective;
  current_callback_ = saved_cb;
  if (!r.ok) {
    fail(std::string("trap in ") + info.export_name + ": " + r.error);
    return std::nullopt;
  }
  return info.has_result ? uint32_t(r.value) : 0u;
}

void Host::runDeferred() {
  static thread_local bool running = false;
  if (depth_ != 0 || running) return;
  running = true;
  while (!deferred_.empty()) {
    auto fn = std::move(deferred_.front());
    deferred_.pop_front();
    fn();
  }
  running = false;
}

uint32_t Host::startPlugin(const PluginOptions& plugin) {
  if (!startVm()) return 0;
  const uint32_t id = nextContextId();
  RootRecord rec;
  rec.id = id;
  rec.plugin = plugin;
  if (rec.plugin.name.empty()) rec.plugin.name = plugin.root_id;
  roots_[id] = rec;
  root_order_.push_back(id);
  contexts_[id] = ContextRecord{id, 0, ContextRecord::Root, nullptr, nullptr};
  if (!call(Callback::ContextCreate, id, {id, 0})) return 0;
  auto started = call(Callback::VmStart, id, {id, uint32_t(options_.vm_configuration.size())});
  runDeferred();
  if (!started || *started == 0) {
    if (started) failure_ = "plugin '" + plugin.root_id + "' failed to start (proxy_on_vm_start returned false)";
    return 0;
  }
  roots_[id].started = true;
  if (!configure(id, plugin.configuration)) return 0;
  return id;
}

bool Host::configure(uint32_t root_id, std::string_view configuration) {
  RootRecord* root = rootRecord(root_id);
  if (!root) return false;
  root->plugin.configuration = std::string(configuration);
  root->configuring = true;
  auto ok = call(Callback::Configure, root_id, {root_id, uint32_t(configuration.size())});
  if (RootRecord* r = rootRecord(root_id)) r->configuring = false;
  runDeferred();
  if (!ok) return false;
  if (*ok == 0) {
    failure_ = "plugin '" + root->plugin.root_id + "' rejected its configuration (proxy_on_configure returned false)";
    return false;
  }
  return true;
}

void Host::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& s : http_streams_)
    if (!s->finished_) s->finish();
  for (auto& c : tcp_connections_)
    if (!c->finished_) c->finish();
  for (uint32_t id : std::vector<uint32_t>(root_order_)) {
    RootRecord* r = rootRecord(id);
    if (!r || r->done_called) continue;
    r->done_called = true;
    auto done = call(Callback::Done, id, {id});
    runDeferred();
    if (!done) {
      deleteContext(id);
      continue;
    }
    if (*done != 0) {
      finishRoot(id);
    } else if (RootRecord* rr = rootRecord(id)) {
      rr->pending_done = true;  // waits for proxy_done
    }
  }
}

void Host::finishRoot(uint32_t id) {
  call(Callback::Delete, id, {id});
  deleteContext(id);
}

void Host::deleteContext(uint32_t id) {
  contexts_.erase(id);
  roots_.erase(id);
  root_order_.erase(std::remove(root_order_.begin(), root_order_.end(), id), root_order_.end());
}

Host::ContextRecord* Host::record(uint32_t id) {
  auto it = contexts_.find(id);
  return it == contexts_.end() ? nullptr : &it->second;
}

Host::RootRecord* Host::rootRecord(uint32_t id) {
  auto it = roots_.find(id);
  return it == roots_.end() ? nullptr : &it->second;
}

uint32_t Host::rootOf(uint32_t id) {
  ContextRecord* r = record(id);
  if (!r) return 0;
  return r->kind == ContextRecord::Root ? r->id : r->root;
}

uint32_t Host::defaultRoot(uint32_t root_id) const {
  if (root_id != 0) return root_id;
  return root_order_.empty() ? 0 : root_order_.front();
}

std::vector<uint32_t> Host::roots() const { return root_order_; }

uint32_t Host::rootFor(std::string_view root_id) const {
  for (uint32_t id : root_order_) {
    auto it = roots_.find(id);
    if (it != roots_.end() && it->second.plugin.root_id == root_id) return id;
  }
  return 0;
}

HttpStream* Host::effectiveHttp() {
  ContextRecord* r = record(effective());
  return r && r->kind == ContextRecord::Http ? r->http : nullptr;
}

TcpConnection* Host::effectiveTcp() {
  ContextRecord* r = record(effective());
  return r && r->kind == ContextRecord::Tcp ? r->tcp : nullptr;
}

// ---- Host: traffic --------------------------------------------------------------------------

HttpStream& Host::newHttpStream(uint32_t root_id) {
  http_streams_.push_back(std::unique_ptr<HttpStream>(new HttpStream(this, 0, defaultRoot(root_id))));
  return *http_streams_.back();
}

TcpConnection& Host::newConnection(uint32_t root_id) {
  const uint32_t root = defaultRoot(root_id);
  const uint32_t id = nextContextId();
  tcp_connections_.push_back(std::unique_ptr<TcpConnection>(new TcpConnection(this, id, root)));
  TcpConnection& c = *tcp_connections_.back();
  contexts_[id] = ContextRecord{id, root, ContextRecord::Tcp, nullptr, &c};
  call(Callback::ContextCreate, id, {id, root});
  auto a = call(Callback::NewConnection, id, {id});
  c.new_connection_action_ = (a && *a == 0) ? Action::Continue : Action::Pause;
  if (!a) c.closed_ = true;  // fail closed
  runDeferred();
  return c;
}

namespace {
Action toAction(const std::optional<uint32_t>& r) { return (r && *r == 0) ? Action::Continue : Action::Pause; }
}  // namespace

// Envoy creates the stream's context lazily: at the request headers, or in the access-log
// hook for a stream whose filter was never reached.
void HttpStream::ensureCreated() {
  if (created_) return;
  Host& h = *host_;
  created_ = true;
  id_ = h.nextContextId();
  h.contexts_[id_] = Host::ContextRecord{id_, root_, Host::ContextRecord::Http, this, nullptr};
  h.call(Callback::ContextCreate, id_, {id_, root_});
}

Action HttpStream::sendRequestHeaders(const HeaderList& headers, bool end_of_stream) {
  if (stopped() || request_.has_headers) return Action::Continue;
  ensureCreated();
  return sendHeaders(true, headers, end_of_stream);
}

Action HttpStream::sendResponseHeaders(const HeaderList& headers, bool end_of_stream) {
  if (stopped() || response_.has_headers || !created_) return Action::Continue;
  return sendHeaders(false, headers, end_of_stream);
}

Action HttpStream::sendHeaders(bool request, const HeaderList& headers, bool end_of_stream) {
  Host& h = *host_;
  Direction& d = request ? request_ : response_;
  d.headers = HeaderList(headers.entries());
  d.has_headers = true;
  d.complete = end_of_stream;
  phase_ = request ? Phase::RequestHeaders : Phase::ResponseHeaders;
  d.headers_live = true;
  auto r = h.call(request ? Callback::RequestHeaders : Callback::ResponseHeaders, id_,
                  {id_, uint32_t(d.headers.size()), end_of_stream ? 1u : 0u});
  phase_ = Phase::None;
  Action a = toAction(r);
  if (!r) {
    failStream();
  } else if (stopped()) {
    a = Action::Pause;
  } else if (a == Action::Continue) {
    d.headers_forwarded = true;
    d.headers_live = false;  // Envoy: request_headers_ / response_headers_ = nullptr
  } else {
    d.state = Flow::HeadersPaused;
  }
  h.runDeferred();
  return a;
}

Action HttpStream::sendRequestBody(std::string_view chunk, bool end_of_stream) {
  return sendBody(true, chunk, end_of_stream);
}
Action HttpStream::sendResponseBody(std::string_view chunk, bool end_of_stream) {
  return sendBody(false, chunk, end_of_stream);
}

void HttpStream::failStream() {
  if (response_.headers_forwarded) {
    if (!reset_) {
      reset_ = true;
      reset_details_ = "wasm_fail_stream";
    }
    return;
  }
  if (!local_response_) local_response_ = LocalResponse{503, "wasm_fail_stream", "", {}, uint32_t(GrpcStatus::Unavailable)};
}

void HttpStream::tooLarge(bool request) {
  if (request) {
    local_response_ = LocalResponse{413, "request_payload_too_large", "Payload Too Large", {}, std::nullopt};
  } else if (response_.headers_forwarded) {
    reset_ = true;  // too late for a 500: the response headers went downstream
    reset_details_ = "response_payload_too_large";
    return;
  } else {
    local_response_ = LocalResponse{500, "response_payload_too_large", "Internal Server Error", {}, std::nullopt};
  }
  host_->deferred_.push_back([this] { encodeLocalReply(); });
}

// Envoy sends a local reply (the plugin's own, or one of Envoy's such as a 413) through the
// encoder filters, this plugin included: on_response_headers and on_response_body see it.
// Only the reply to a failed VM (wasm_fail_stream) skips the plugin.
void HttpStream::encodeLocalReply() {
  if (!local_response_ || finished_ || reset_ || response_.has_headers) return;
  LocalResponse reply = *local_response_;
  HeaderList headers;
  const auto content_type = request_.headers.get("content-type");
  if (content_type && content_type->substr(0, 16) == "application/grpc") {
    // A gRPC request gets a trailers-only gRPC response: HTTP 200, the status in
    // grpc-status (given, or mapped from the HTTP code as Envoy does), the body as
    // grpc-message.
    uint32_t grpc = reply.grpc_status ? *reply.grpc_status : 2;  // Unknown
    if (!reply.grpc_status) {
      switch (reply.status) {
        case 400: grpc = 13; break;  // Internal
        case 401: grpc = 16; break;  // Unauthenticated
        case 403: grpc = 7; break;   // PermissionDenied
        case 404: grpc = 12; break;  // Unimplemented
        case 429: case 502: case 503: case 504: grpc = 14; break;  // Unavailable
        default: break;
      }
    }
    headers.add(":status", "200");
    headers.add("content-type", "application/grpc");
    headers.add("grpc-status", std::to_string(grpc));
    if (!reply.body.empty()) headers.add("grpc-message", reply.body);
    reply.body.clear();
  } else {
    headers.add(":status", std::to_string(reply.status));
    if (!reply.body.empty()) {
      headers.add("content-length", std::to_string(reply.body.size()));
      headers.add("content-type", "text/plain");
    }
  }
  for (auto& [k, v] : reply.headers.entries()) headers.add(k, v);
  encoding_local_reply_ = true;
  sendHeaders(false, headers, reply.body.empty());
  if (!reply.body.empty() && !reset_ && !finished_) {
    response_.complete = true;
    if (response_.state == Flow::HeadersPaused) {
      response_.held = reply.body;
      response_.held_end = true;
    } else {
      response_.buffer = reply.body;
      runBody(false, true);
    }
  }
  encoding_local_reply_ = false;
}

Action HttpStream::sendBody(bool request, std::string_view chunk, bool end_of_stream) {
  Direction& d = request ? request_ : response_;
  if (stopped() || !d.has_headers || d.complete) return Action::Continue;
  if (end_of_stream) d.complete = true;
  if (d.state == Flow::HeadersPaused) {
    // StopAllIterationAndWatermark: Envoy holds the body under flow control (no size
    // error); the plugin sees it after resuming.
    d.held.append(chunk);
    d.held_end = d.held_end || end_of_stream;
    return Action::Continue;
  }
  const bool buffering = d.state == Flow::BodyPaused;
  d.buffer.append(chunk);
  if (buffering && d.buffer.size() > host_->options_.buffer_limit) {
    // Envoy's addDecodedData/addEncodedData over the limit: the local reply (or reset)
    // destroys the filter, and the VM is not called again.
    tooLarge(request);
    host_->runDeferred();
    return Action::Pause;
  }
  const Action a = runBody(request, end_of_stream);
  host_->runDeferred();
  return a;
}

// Calls on_*_body with the whole visible buffer; forwards it on Continue.
Action HttpStream::runBody(bool request, bool end_of_stream) {
  Direction& d = request ? request_ : response_;
  Host& h = *host_;
  phase_ = request ? Phase::RequestBody : Phase::ResponseBody;
  body_end_ = end_of_stream;
  d.body_dropped = false;  // Envoy: request_body_buffer_ = &data
  auto r = h.call(request ? Callback::RequestBody : Callback::ResponseBody, id_,
                  {id_, uint32_t(d.buffer.size()), end_of_stream ? 1u : 0u});
  phase_ = Phase::None;
  Action a = toAction(r);
  if (!r) {
    failStream();
    return Action::Pause;
  }
  if (stopped()) return Action::Pause;
  if (a == Action::Continue) {
    d.forwarded += d.buffer;
    d.buffer.clear();
    d.state = Flow::Flowing;
  } else {
    d.state = Flow::BodyPaused;  // StopIterationAndBuffer
    if (d.buffer.size() > h.options_.buffer_limit) tooLarge(request);
  }
  return a;
}

// Calls on_*_trailers; Continue forwards the buffered body and the trailers.
Action HttpStream::runTrailers(bool request) {
  Direction& d = request ? request_ : response_;
  phase_ = request ? Phase::RequestTrailers : Phase::ResponseTrailers;
  d.trailers_live = true;
  auto r = host_->call(request ? Callback::RequestTrailers : Callback::ResponseTrailers, id_,
                       {id_, uint32_t(d.trailers.size())});
  phase_ = Phase::None;
  Action a = toAction(r);
  if (!r) failStream();
  if (stopped()) return Action::Pause;
  if (a == Action::Continue) {
    d.forwarded += d.buffer;
    d.buffer.clear();
    d.state = Flow::Flowing;
    d.trailers_live = false;  // Envoy: request_trailers_/response_trailers_ = nullptr
  } else if (d.state != Flow::BodyPaused) {
    d.state = Flow::TrailersPaused;  // no body buffered behind it
  }
  return a;
}

Action HttpStream::sendRequestTrailers(const HeaderList& trailers) { return sendTrailers(true, trailers); }
Action HttpStream::sendResponseTrailers(const HeaderList& trailers) { return sendTrailers(false, trailers); }

Action HttpStream::sendTrailers(bool request, const HeaderList& trailers) {
  Direction& d = request ? request_ : response_;
  if (stopped() || !d.has_headers || d.complete) return Action::Continue;
  d.trailers = HeaderList(trailers.entries());
  d.has_trailers = true;
  d.complete = true;
  if (d.state == Flow::HeadersPaused) {
    d.held_trailers = true;
    return Action::Continue;
  }
  const Action a = runTrailers(request);
  host_->runDeferred();
  return a;
}

// continue_stream, applied after the VM call that asked for it.
void HttpStream::resume(bool request) {
  Direction& d = request ? request_ : response_;
  if (stopped()) return;
  if (d.state == Flow::HeadersPaused) {
    d.state = Flow::Flowing;
    d.headers_forwarded = true;
    // Envoy's commonContinue: the held body, then the held trailers, from this filter on.
    if (!d.held.empty() || (d.held_end && !d.held_trailers)) {
      d.buffer = std::move(d.held);
      d.held.clear();
      runBody(request, d.held_end && !d.held_trailers);
      if (stopped()) return;
    }
    if (d.held_trailers) {
      d.held_trailers = false;
      runTrailers(request);
    }
  } else if (d.state == Flow::BodyPaused || d.state == Flow::TrailersPaused) {
    d.forwarded += d.buffer;
    d.buffer.clear();
    d.state = Flow::Flowing;
  }
}

void HttpStream::setProperty(std::string_view path, std::string_view value) {
  properties_[std::string(path)] = std::string(value);
}

void HttpStream::finish() {
  if (finished_ || pending_done_) return;
  ensureCreated();  // a stream that never reached the filter still gets on_log (access log)
  host_->finalizeHttp(*this);
}

void Host::finalizeHttp(HttpStream& s) {
  const uint32_t id = s.id_;
  if (options_.http_finalization == Finalization::Envoy) {
    logHttp(s);
    call(Callback::Done, id, {id});  // result ignored for streams
  } else {
    auto done = call(Callback::Done, id, {id});
    if (done && *done == 0) {
      s.pending_done_ = true;  // the spec: on_log and on_delete wait for proxy_done
      runDeferred();
      return;
    }
    logHttp(s);
  }
  deleteHttp(s);
  runDeferred();
}

// Spec finalization of a stream whose on_done returned false, after its proxy_done.
void Host::logAndDeleteHttp(HttpStream& s) {
  s.pending_done_ = false;
  logHttp(s);
  deleteHttp(s);
}

// on_log, with the access-log view of the maps (read-only).
void Host::logHttp(HttpStream& s) {
  s.in_log_ = true;
  s.phase_ = HttpStream::Phase::Log;
  call(Callback::Log, s.id_, {s.id_});
  s.phase_ = HttpStream::Phase::None;
  s.in_log_ = false;
}

void Host::deleteHttp(HttpStream& s) {
  call(Callback::Delete, s.id_, {s.id_});
  s.finished_ = true;
  contexts_.erase(s.id_);
}

// ---- TCP ------------------------------------------------------------------------------------

Action TcpConnection::sendDownstreamData(std::string_view data, bool end_of_stream) {
  return sendData(true, data, end_of_stream);
}
Action TcpConnection::sendUpstreamData(std::string_view data, bool end_of_stream) {
  return sendData(false, data, end_of_stream);
}

Action TcpConnection::sendData(bool downstream, std::string_view data, bool end_of_stream) {
  if (finished_ || closed_) return Action::Continue;
  Direction& d = downstream ? downstream_ : upstream_;
  d.buffer.append(data);
  bool& in = downstream ? in_downstream_ : in_upstream_;
  in = true;
  auto r = host_->call(downstream ? Callback::DownstreamData : Callback::UpstreamData, id_,
                       {id_, uint32_t(d.buffer.size()), end_of_stream ? 1u : 0u});
  in = false;
  const Action a = toAction(r);
  if (!r) {
    closed_ = true;  // fail closed
  } else if (a == Action::Continue) {
    d.forwarded += d.buffer;
    d.buffer.clear();
    d.paused = false;
  } else {
    d.paused = true;
  }
  if (!downstream && end_of_stream && !finished_) {
    // Envoy (onWrite): an upstream write with end of stream reports the upstream close.
    host_->call(Callback::UpstreamConnectionClose, id_, {id_, uint32_t(PeerType::Unknown)});
  }
  host_->runDeferred();
  return a;
}

void TcpConnection::closeDownstream(PeerType peer) {
  if (finished_ || pending_done_) return;
  host_->call(Callback::DownstreamConnectionClose, id_, {id_, uint32_t(peer)});
  // Envoy's onCloseTCP: the downstream close ends the connection's context right away.
  host_->finalizeTcp(*this);
  host_->runDeferred();
}

void TcpConnection::closeUpstream(PeerType peer) {
  if (finished_ || pending_done_) return;
  host_->call(Callback::UpstreamConnectionClose, id_, {id_, uint32_t(peer)});
  host_->runDeferred();
}

void TcpConnection::setProperty(std::string_view path, std::string_view value) {
  properties_[std::string(path)] = std::string(value);
}

void TcpConnection::finish() {
  if (finished_ || pending_done_) return;
  host_->finalizeTcp(*this);
}

void Host::finalizeTcp(TcpConnection& c) {
  const uint32_t id = c.id_;
  auto done = call(Callback::Done, id, {id});  // Envoy ignores the result
  if (options_.http_finalization == Finalization::Spec && done && *done == 0) {
    c.pending_done_ = true;  // the spec: on_log and on_delete wait for proxy_done
    runDeferred();
    return;
  }
  logAndDeleteTcp(c);
  runDeferred();
}

void Host::logAndDeleteTcp(TcpConnection& c) {
  const uint32_t id = c.id_;
  c.pending_done_ = false;
  call(Callback::Log, id, {id});
  call(Callback::Delete, id, {id});
  c.finished_ = true;
  contexts_.erase(id);
}

// ---- Time -----------------------------------------------------------------------------------

void Host::advanceTime(uint64_t milliseconds) {
  const uint64_t target = now_ns_ + milliseconds * 1000000ull;
  for (;;) {
    uint32_t due = 0;
    uint64_t when = target + 1;
    for (uint32_t id : root_order_) {
      const RootRecord& r = roots_[id];
      if (r.tick_period_ms != 0 && r.next_tick_ns <= target && r.next_tick_ns < when) {
        when = r.next_tick_ns;
        due = id;
      }
    }
    if (due == 0) break;
    now_ns_ = std::max(now_ns_, when);
    RootRecord& r = roots_[due];
    r.next_tick_ns = when + uint64_t(r.tick_period_ms) * 1000000ull;  // re-arms after each tick
    call(Callback::Tick, due, {due});
    runDeferred();
    if (failed_) break;
  }
  now_ns_ = target;
}

void Host::tick(uint32_t root_id) {
  const uint32_t id = defaultRoot(root_id);
  if (!rootRecord(id)) return;
  call(Callback::Tick, id, {id});
  runDeferred();
}

uint32_t Host::tickPeriod(uint32_t root_id) const {
  auto it = roots_.find(defaultRoot(root_id));
  return it == roots_.end() ? 0 : it->second.tick_period_ms;
}

// ---- Callouts (driver) ----------------------------------------------------------------------

std::vector<uint32_t> Host::pendingHttpCalls() const { return {pending_http_.begin(), pending_http_.end()}; }

bool Host::respondHttpCall(uint32_t token, const HeaderList& headers, std::string_view body,
                           const HeaderList& trailers) {
  if (!pending_http_.count(token)) return false;
  if (depth_ != 0) {
    // Envoy's onHttpCallSuccess during a VM call: deferred until after it.
    deferred_.push_back([this, token, headers, body = std::string(body), trailers] {
      respondHttpCall(token, headers, body, trailers);
    });
    return true;
  }
  pending_http_.erase(token);
  auto it = std::find_if(http_calls_.begin(), http_calls_.end(), [&](auto& c) { return c.token == token; });
  const uint32_t root = it->root_id;
  if (!rootRecord(root)) return false;
  const std::string body_copy(body);
  callout_headers_ = &headers;
  callout_trailers_ = &trailers;
  callout_body_ = &body_copy;
  // Envoy leaves the root's status as it was on success (only failures set it).
  call(Callback::HttpCallResponse, root,
       {root, token, uint32_t(headers.size()), uint32_t(body_copy.size()), uint32_t(trailers.size())});
  callout_headers_ = callout_trailers_ = nullptr;
  callout_body_ = nullptr;
  runDeferred();
  return true;
}

bool Host::failHttpCall(uint32_t token) {
  if (!pending_http_.count(token)) return false;
  if (depth_ != 0) {
    deferred_.push_back([this, token] { failHttpCall(token); });
    return true;
  }
  pending_http_.erase(token);
  auto it = std::find_if(http_calls_.begin(), http_calls_.end(), [&](auto& c) { return c.token == token; });
  const uint32_t root = it->root_id;
  RootRecord* r = rootRecord(root);
  if (!r) return false;
  r->last_status_code = uint32_t(Status::BrokenConnection);
  r->last_status_message = "reset";
  call(Callback::HttpCallResponse, root, {root, token, 0, 0, 0});
  // Envoy clears the message after the callback; the code stays.
  if (RootRecord* rr = rootRecord(root)) rr->last_status_message.clear();
  runDeferred();
  return true;
}

GrpcCallRecord* Host::grpcCall(uint32_t token) {
  for (auto& c : grpc_calls_)
    if (c.token == token) return &c;
  return nullptr;
}

bool Host::respondGrpcCall(uint32_t token, std::string_view message) {
  GrpcCallRecord* c = grpcCall(token);
  if (!c || c->stream || !pending_grpc_.count(token)) return false;
  if (depth_ != 0) {
    deferred_.push_back([this, token, m = std::string(message)] { respondGrpcCall(token, m); });
    return true;
  }
  pending_grpc_.erase(token);
  const uint32_t root = c->root_id;
  const std::string msg(message);
  grpc_message_ = &msg;
  call(Callback::GrpcReceive, root, {root, token, uint32_t(msg.size())});
  grpc_message_ = nullptr;
  runDeferred();
  return true;
}

bool Host::grpcInitialMetadata(uint32_t token, const HeaderList& metadata) {
  GrpcCallRecord* c = grpcCall(token);
  if (!c || !pending_grpc_.count(token)) return false;
  if (depth_ != 0) {
    deferred_.push_back([this, token, metadata] { grpcInitialMetadata(token, metadata); });
    return true;
  }
  grpc_initial_ = &metadata;
  call(Callback::GrpcReceiveInitialMetadata, c->root_id, {c->root_id, token, uint32_t(metadata.size())});
  grpc_initial_ = nullptr;
  runDeferred();
  return true;
}

bool Host::grpcMessage(uint32_t token, std::string_view message) {
  GrpcCallRecord* c = grpcCall(token);
  if (!c || !pending_grpc_.count(token)) return false;
  if (!c->stream) return respondGrpcCall(token, message);
  if (depth_ != 0) {
    deferred_.push_back([this, token, m = std::string(message)] { grpcMessage(token, m); });
    return true;
  }
  const std::string msg(message);
  grpc_message_ = &msg;
  call(Callback::GrpcReceive, c->root_id, {c->root_id, token, uint32_t(msg.size())});
  grpc_message_ = nullptr;
  runDeferred();
  return true;
}

bool Host::grpcTrailingMetadata(uint32_t token, const HeaderList& metadata) {
  GrpcCallRecord* c = grpcCall(token);
  if (!c || !pending_grpc_.count(token)) return false;
  if (depth_ != 0) {
    deferred_.push_back([this, token, metadata] { grpcTrailingMetadata(token, metadata); });
    return true;
  }
  grpc_trailing_ = &metadata;
  call(Callback::GrpcReceiveTrailingMetadata, c->root_id, {c->root_id, token, uint32_t(metadata.size())});
  grpc_trailing_ = nullptr;
  runDeferred();
  return true;
}

bool Host::grpcClose(uint32_t token, GrpcStatus status, std::string_view message) {
  GrpcCallRecord* c = grpcCall(token);
  if (!c || !pending_grpc_.count(token)) return false;
  if (depth_ != 0) {
    deferred_.push_back([this, token, status, m = std::string(message)] { grpcClose(token, status, m); });
    return true;
  }
  pending_grpc_.erase(token);
  c->remote_closed = true;
  // Envoy keeps a stream the plugin has not closed yet: its proxy_grpc_close still works.
  if (c->stream && !c->local_closed) grpc_remote_closed_.insert(token);
  const uint32_t root = c->root_id;
  if (RootRecord* r = rootRecord(root)) {
    r->last_status_code = uint32_t(status);
    r->last_status_message = std::string(message);
  }
  call(Callback::GrpcClose, root, {root, token, uint32_t(status)});
  // Envoy clears the message after the callback; the code stays.
  if (RootRecord* r = rootRecord(root)) r->last_status_message.clear();
  runDeferred();
  return true;
}

// ---- Inspection -----------------------------------------------------------------------------

std::vector<std::string> Host::logs(LogLevel level) const {
  std::vector<std::string> out;
  for (auto& e : logs_)
    if (e.level == level) out.push_back(e.message);
  return out;
}

std::map<std::string, Host::MetricValue> Host::metrics() const {
  std::map<std::string, MetricValue> out;
  for (auto& [name, m] : metrics_) out[name] = MetricValue{m.type, m.value, m.samples};
  return out;
}

std::optional<uint64_t> Host::counter(std::string_view name) const {
  auto it = metrics_.find(std::string(name));
  if (it == metrics_.end() || it->second.type != MetricType::Counter) return std::nullopt;
  return uint64_t(it->second.value);
}
std::optional<int64_t> Host::gauge(std::string_view name) const {
  auto it = metrics_.find(std::string(name));
  if (it == metrics_.end() || it->second.type != MetricType::Gauge) return std::nullopt;
  return it->second.value;
}
std::optional<std::vector<uint64_t>> Host::histogram(std::string_view name) const {
  auto it = metrics_.find(std::string(name));
  if (it == metrics_.end() || it->second.type != MetricType::Histogram) return std::nullopt;
  return it->second.samples;
}

void Host::setSharedData(std::string_view key, std::string_view value) { (void)hSetSharedData(key, value, 0); }
std::optional<std::pair<std::string, uint32_t>> Host::sharedData(std::string_view key) const {
  auto it = shared_data_.find(options_.vm_id + '\0' + std::string(key));
  if (it == shared_data_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> Host::queueId(std::string_view name, std::string_view vm_id) const {
  const std::string vm = vm_id.empty() ? options_.vm_id : std::string(vm_id);
  for (auto& [id, q] : queues_)
    if (q.vm_id == vm && q.name == name) return id;
  return std::nullopt;
}

bool Host::enqueue(uint32_t queue_id, std::string_view data) {
  const Status s = hEnqueueSharedQueue(queue_id, data);
  runDeferred();
  return s == Status::Ok;
}

std::optional<std::string> Host::dequeue(uint32_t queue_id) {
  auto it = queues_.find(queue_id);
  if (it == queues_.end() || it->second.items.empty()) return std::nullopt;
  std::string v = std::move(it->second.items.front());
  it->second.items.pop_front();
  return v;
}

size_t Host::queueSize(uint32_t queue_id) const {
  auto it = queues_.find(queue_id);
  return it == queues_.end() ? 0 : it->second.items.size();
}

void Host::registerForeignFunction(std::string_view name, ForeignFunction fn) {
  foreign_functions_[std::string(name)] = std::move(fn);
}

void Host::callPluginForeignFunction(uint32_t function_id, std::string_view arguments, uint32_t root_id) {
  const uint32_t root = defaultRoot(root_id);
  if (!rootRecord(root)) return;
  const std::string args(arguments);
  foreign_args_ = &args;
  call(Callback::ForeignFunction, root, {root, function_id, uint32_t(args.size())});
  foreign_args_ = nullptr;
  runDeferred();
}

// ---- Host functions -------------------------------------------------------------------------

bool Host::allowed(std::string_view name) {
  if (in_startup_) {
    if (name == "proxy_log") return true;
    violation(std::string(name) + " called during module start-up (_initialize): Envoy traps (restricted_callback)");
    return false;
  }
  if (in_allocator_) {
    if (name == "proxy_log") return true;
    violation(std::string(name) + " called inside the allocator: Envoy traps (restricted_callback)");
    return false;
  }
  return true;
}

size_t Host::beginHostCall(std::string_view name) {
  if (!options_.record_host_calls) return size_t(-1);
  HostCall call;
  call.function = std::string(name);
  call.current_context_id = in_startup_ ? 0 : current_;
  if (in_allocator_) {
    call.callback = Callback::MemoryAllocate;
  } else if (in_startup_) {
    call.callback = Callback::Initialize;
  } else if (depth_ > 0) {
    call.callback = current_callback_;
  }
  host_calls_.push_back(std::move(call));
  return host_calls_base_ + host_calls_.size() - 1;
}

void Host::endHostCall(size_t sequence, uint32_t result) {
  // Not recording, or the record was cleared during the call.
  if (sequence < host_calls_base_ || sequence - host_calls_base_ >= host_calls_.size()) return;
  HostCall& call = host_calls_[sequence - host_calls_base_];
  call.refused = result == 0xFFFFFFFFu;  // abi::kTrap
  call.status = call.refused ? Status::InternalFailure : static_cast<Status>(result);
  call.context_id = in_startup_ ? 0 : effective();
}

std::vector<HostCall> Host::hostCalls(std::string_view function) const {
  std::vector<HostCall> out;
  for (const HostCall& c : host_calls_)
    if (c.function == function) out.push_back(c);
  return out;
}

uint64_t Host::allocate(uint64_t size) {
  if (size > 0xFFFFFFFFull || failed_) return 0;
  const bool saved = in_allocator_;
  in_allocator_ = true;
  CallResult r = guest_->call(Callback::MemoryAllocate, {uint32_t(size)});
  in_allocator_ = saved;
  if (!r.ok) {
    fail("trap in proxy_on_memory_allocate: " + r.error);
    return 0;
  }
  return r.value;
}

Status Host::hLog(uint32_t level, std::string_view message) {
  if (level > 5) return Status::BadArgument;
  if (level >= uint32_t(options_.log_level))
    logs_.push_back(LogEntry{LogLevel(level), std::string(message), in_startup_ ? 0 : effective()});
  return Status::Ok;
}

Status Host::hGetLogLevel(uint32_t& level) {
  level = uint32_t(options_.log_level);
  return Status::Ok;
}

Status Host::hGetCurrentTime(uint64_t& ns) {
  ns = now_ns_;
  return Status::Ok;
}

Status Host::hSetTickPeriod(uint32_t ms) {
  RootRecord* r = rootRecord(rootOf(effective()));
  if (!r) return Status::Ok;
  r->tick_period_ms = ms;
  r->next_tick_ns = now_ns_ + uint64_t(ms) * 1000000ull;
  return Status::Ok;
}

Status Host::hDone() {
  // HOST's done(context) looks the effective context itself up among the parked roots, so
  // a stream of a parked root gets NotFound.
  const uint32_t id = effective();
  if (RootRecord* r = rootRecord(id)) {
    if (!r->pending_done) return Status::NotFound;
    r->pending_done = false;
    deferred_.push_back([this, id] { finishRoot(id); });  // on_delete right after this callback
    return Status::Ok;
  }
  // Spec finalization: a stream whose on_done returned false.
  if (HttpStream* s = effectiveHttp(); s && s->pending_done_) {
    s->pending_done_ = false;
    deferred_.push_back([this, s] { logAndDeleteHttp(*s); });
    return Status::Ok;
  }
  if (TcpConnection* c = effectiveTcp(); c && c->pending_done_) {
    c->pending_done_ = false;
    deferred_.push_back([this, c] { logAndDeleteTcp(*c); });
    return Status::Ok;
  }
  return Status::NotFound;
}

Status Host::hSetEffectiveContext(uint32_t id) {
  if (!record(id)) return Status::BadArgument;
  effective_ = id;
  return Status::Ok;
}

Status Host::hCallForeignFunction(std::string_view name, std::string_view args, std::string& out) {
  auto it = foreign_functions_.find(std::string(name));
  if (it == foreign_functions_.end()) return Status::NotFound;
  return it->second(args, out);
}

Status Host::hGetBufferBytes(uint32_t type, uint64_t start, uint64_t max, std::string& out) {
  if (type > kMaxBufferType) return Status::BadArgument;
  const std::string* buf = nullptr;
  std::string scratch;
  switch (BufferType(type)) {
    case BufferType::HttpRequestBody:
    case BufferType::HttpResponseBody:
    case BufferType::DownstreamData:
    case BufferType::UpstreamData:
      buf = liveBuffer(type);  // outside its phase: Ok with 0/0 (Envoy)
      break;
    case BufferType::HttpCallResponseBody:
      if (!callout_body_) return Status::NotFound;
      buf = callout_body_;
      break;
    case BufferType::GrpcReceiveBuffer:
      buf = grpc_message_;  // Envoy always has this buffer: empty outside on_grpc_receive
      break;
    case BufferType::VmConfiguration:
      buf = &options_.vm_configuration;
      break;
    case BufferType::PluginConfiguration: {
      RootRecord* r = rootRecord(rootOf(effective()));
      if (!r || !r->configuring) return Status::NotFound;
      buf = &r->plugin.configuration;
      break;
    }
    case BufferType::CallData:
      if (!foreign_args_) return Status::NotFound;
      buf = foreign_args_;
      break;
  }
  out.clear();
  if (!buf || start >= buf->size() || max == 0) return Status::Ok;
  out = buf->substr(size_t(start), size_t(std::min<uint64_t>(max, buf->size() - start)));
  return Status::Ok;
}

Status Host::hSetBufferBytes(uint32_t type, uint64_t start, uint64_t size, std::string_view data) {
  if (type > kMaxBufferType) return Status::BadArgument;
  std::string* buf = nullptr;
  if (type <= 3) {
    // Envoy always has a buffer object for these; without data behind it (outside the
    // body/data callback, unless the plugin paused it) copyFrom is BadArgument.
    buf = liveBuffer(type);
    if (!buf) return Status::BadArgument;
  } else {
    // Read-only (call response, gRPC message, configurations, arguments); the call
    // response and plugin configuration do not exist outside their callbacks (NotFound).
    if (type == uint32_t(BufferType::HttpCallResponseBody) && !callout_body_) return Status::NotFound;
    if (type == uint32_t(BufferType::PluginConfiguration)) {
      RootRecord* r = rootRecord(rootOf(effective()));
      if (!r || !r->configuring) return Status::NotFound;
    }
    return Status::BadArgument;
  }
  // Envoy's Buffer::copyFrom semantics: start 0 drops `size` bytes then prepends; start at
  // or past the end appends; anything in between is unsupported.
  if (start == 0) {
    buf->erase(0, size_t(std::min<uint64_t>(size, buf->size())));
    buf->insert(0, data);
  } else if (start >= buf->size()) {
    buf->append(data);
  } else {
    return Status::BadArgument;
  }
  return Status::Ok;
}

// Envoy's pointer to a body or TCP data buffer: the data of the running callback, or what
// the plugin paused (buffering); null otherwise. continue_stream drops the request chunk.
std::string* Host::liveBuffer(uint32_t type) {
  if (type <= 1) {
    HttpStream* s = effectiveHttp();
    if (!s) return nullptr;
    const bool request = type == 0;
    HttpStream::Direction& d = request ? s->request_ : s->response_;
    if (d.state == HttpStream::Flow::BodyPaused) return &d.buffer;
    if (d.body_dropped) return nullptr;
    return s->phase_ == (request ? HttpStream::Phase::RequestBody : HttpStream::Phase::ResponseBody) ? &d.buffer
                                                                                                    : nullptr;
  }
  TcpConnection* c = effectiveTcp();
  if (!c) return nullptr;
  TcpConnection::Direction& d = type == 2 ? c->downstream_ : c->upstream_;
  const bool in = type == 2 ? c->in_downstream_ : c->in_upstream_;
  return (in || d.paused) ? &d.buffer : nullptr;
}

Status Host::hGetBufferStatus(uint32_t type, uint64_t& size, uint32_t& flags) {
  if (type > kMaxBufferType) return Status::BadArgument;
  std::string bytes;
  const Status s = hGetBufferBytes(type, 0, ~0ull, bytes);
  if (s != Status::Ok) return s;
  size = bytes.size();
  flags = 0;
  return Status::Ok;
}

// Maps 4-7 are only readable, and only in their own callbacks (§5.10).
HeaderList* Host::mapFor(uint32_t type, bool mutable_map, Status& error) {
  error = Status::BadArgument;
  if (type > kMaxMapType) return nullptr;
  if (type >= 4) {
    if (mutable_map) return nullptr;
    const HeaderList* m = type == 4 ? grpc_initial_ : type == 5 ? grpc_trailing_ : type == 6 ? callout_headers_ : callout_trailers_;
    return const_cast<HeaderList*>(m);
  }
  HttpStream* s = effectiveHttp();
  if (!s) return nullptr;
  const bool request = type == 0 || type == 1;
  HttpStream::Direction& d = request ? s->request_ : s->response_;
  const bool trailers = type == 1 || type == 3;
  if (s->in_log_) {
    // Access-log phase: request and response headers and response trailers are readable
    // (Envoy's access-log maps); nothing is mutable.
    if (mutable_map || type == 1) return nullptr;
    if (trailers) return d.has_trailers ? &d.trailers : nullptr;
    return d.has_headers ? &d.headers : nullptr;
  }
  if (!trailers) return d.headers_live ? &d.headers : nullptr;
  if (d.trailers_live) return &d.trailers;
  // Envoy's getMap creates trailers from the last body callback (addDecodedTrailers).
  const bool in_body = s->phase_ == (request ? HttpStream::Phase::RequestBody : HttpStream::Phase::ResponseBody);
  if (mutable_map && in_body && s->body_end_ && !d.has_trailers) {
    d.has_trailers = true;
    d.trailers_live = true;
    return &d.trailers;
  }
  return nullptr;
}

Status Host::hGetHeaderMapSize(uint32_t type, uint64_t& size) {
  if (type > kMaxMapType || type >= 4) return Status::BadArgument;
  Status error;
  HeaderList* m = mapFor(type, true, error);  // Envoy uses the mutable map: BA in on_log
  if (!m) return error;
  size = m->byteSize();
  return Status::Ok;
}

Status Host::hGetHeaderMapPairs(uint32_t type, std::string& out) {
  if (type > kMaxMapType) return Status::BadArgument;
  Status error;
  HeaderList* m = mapFor(type, false, error);
  out = m ? m->serialize() : std::string();  // unavailable: Ok with an empty map
  return Status::Ok;
}

Status Host::hSetHeaderMapPairs(uint32_t type, std::string_view pairs) {
  Status error;
  HeaderList* m = mapFor(type, true, error);
  if (!m) return error;
  HeaderList parsed = HeaderList::parse(pairs);  // malformed: empty, which clears the map
  m->clear();
  for (auto& [k, v] : parsed.entries()) m->add(k, v);
  return Status::Ok;
}

Status Host::hGetHeaderMapValue(uint32_t type, std::string_view key, std::string& out) {
  if (type > kMaxMapType) return Status::BadArgument;
  Status error;
  HeaderList* m = mapFor(type, false, error);
  if (!m) {
    HttpStream* s = effectiveHttp();
    return (s && s->in_log_) ? Status::NotFound : error;
  }
  auto v = m->get(key);
  if (!v) return Status::NotFound;
  out = std::string(*v);
  return Status::Ok;
}

Status Host::hAddHeaderMapValue(uint32_t type, std::string_view key, std::string_view value) {
  Status error;
  HeaderList* m = mapFor(type, true, error);
  if (!m) return error;
  m->add(key, value);
  return Status::Ok;
}

Status Host::hReplaceHeaderMapValue(uint32_t type, std::string_view key, std::string_view value) {
  Status error;
  HeaderList* m = mapFor(type, true, error);
  if (!m) return error;
  m->replace(key, value);
  return Status::Ok;
}

Status Host::hRemoveHeaderMapValue(uint32_t type, std::string_view key) {
  Status error;
  HeaderList* m = mapFor(type, true, error);
  if (!m) return error;
  m->remove(key);
  return Status::Ok;
}

Status Host::hContinueStream(uint32_t type) {
  if (type > kMaxStreamType) return Status::BadArgument;
  if (StreamType(type) == StreamType::Upstream) return Status::Unimplemented;
  if (type <= 1) {
    HttpStream* s = effectiveHttp();
    if (!s) return Status::Ok;  // no decoder/encoder callbacks: nothing to do
    const bool request = type == 0;
    deferred_.push_back([s, request] { s->resume(request); });
    // Envoy forgets its request maps and body at once, for REQUEST and RESPONSE alike.
    s->request_.headers_live = false;
    s->request_.trailers_live = false;
    s->request_.body_dropped = true;
    return Status::Ok;
  }
  TcpConnection* c = effectiveTcp();
  if (c) {
    deferred_.push_back([c] {
      if (c->finished_) return;
      c->downstream_.forwarded += c->downstream_.buffer;
      c->downstream_.buffer.clear();
      c->downstream_.paused = false;
    });
  }
  return Status::Ok;
}

Status Host::hCloseStream(uint32_t type) {
  if (type > kMaxStreamType) return Status::BadArgument;
  if (type <= 1) {
    if (HttpStream* s = effectiveHttp()) {
      deferred_.push_back([s] {
        if (s->reset_ || s->finished_) return;
        s->reset_ = true;
        s->reset_details_ = "wasm_close_stream";
      });
    }
  } else if (TcpConnection* c = effectiveTcp()) {
    // DOWNSTREAM and UPSTREAM both close the downstream connection (FlushWrite); its
    // LocalClose event reports on_downstream_connection_close(Local) and ends the context.
    deferred_.push_back([c] {
      if (c->closed_ || c->finished_) return;
      c->closed_ = true;
      c->closeDownstream(PeerType::Local);
    });
  }
  return Status::Ok;
}

Status Host::hSendLocalResponse(uint32_t status, std::string_view details, std::string_view body,
                                std::string_view headers, uint32_t grpc_status) {
  HttpStream* s = effectiveHttp();
  if (!s) return Status::Ok;  // no HTTP stream (root, TCP): a no-op
  if (s->response_.headers_forwarded || s->local_response_ || s->reset_) {
    // Envoy cannot send a reply once response headers went downstream.
    violation("proxy_send_local_response after the response headers were sent (ignored)");
    return Status::Ok;
  }
  LocalResponse lr;
  lr.status = status;
  lr.details = std::string(details);
  for (char& c : lr.details)  // Envoy's StringUtil::replaceAllEmptySpace
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') c = '_';
  lr.body = std::string(body);
  const HeaderList added = HeaderList::parse(headers);
  for (auto& [k, v] : added.entries()) lr.headers.add(k, v);
  if (grpc_status <= 16) lr.grpc_status = grpc_status;
  s->local_response_ = std::move(lr);
  deferred_.push_back([s] { s->encodeLocalReply(); });  // sent after the callback returns
  return Status::Ok;
}

Status Host::hGetStatus(uint32_t& code, std::string& message) {
  RootRecord* r = rootRecord(rootOf(effective()));
  if (!r) {
    code = 0;
    message.clear();
    return Status::Ok;
  }
  code = r->last_status_code;
  message = r->last_status_message;
  return Status::Ok;
}

bool Host::clusterKnown(std::string_view name) const {
  return !options_.clusters || options_.clusters->count(std::string(name)) != 0;
}

Status Host::hHttpCall(std::string_view upstream, std::string_view headers, std::string_view body,
                       std::string_view trailers, uint32_t timeout_ms, uint32_t& token) {
  const uint32_t root = rootOf(effective());
  if (!root) return Status::BadArgument;
  if (!clusterKnown(upstream)) return Status::BadArgument;
  HeaderList hdrs;
  const HeaderList sent = HeaderList::parse(headers);
  for (auto& [k, v] : sent.entries()) hdrs.add(k, v);
  if (!hdrs.has(":method") || !hdrs.has(":path") || !hdrs.has(":authority")) return Status::BadArgument;
  if (timeout_ms > 0x7FFFFFFFu) return Status::BadArgument;
  if (!body.empty()) hdrs.replace("content-length", std::to_string(body.size()));
  HttpCallRecord rec;
  rec.token = (next_callout_++) * 4;
  rec.root_id = root;
  rec.upstream = std::string(upstream);
  rec.headers = std::move(hdrs);
  rec.body = std::string(body);
  const HeaderList sent_trailers = HeaderList::parse(trailers);
  for (auto& [k, v] : sent_trailers.entries()) rec.trailers.add(k, v);
  rec.timeout_ms = timeout_ms;
  token = rec.token;
  pending_http_.insert(rec.token);
  http_calls_.push_back(std::move(rec));
  return Status::Ok;
}

Status Host::hGrpcCall(std::string_view upstream, std::string_view service, std::string_view method,
                       std::string_view metadata, std::string_view message, uint32_t timeout_ms, uint32_t& token) {
  const uint32_t root = rootOf(effective());
  if (!root) return Status::BadArgument;
  if (!clusterKnown(upstream)) return Status::ParseFailure;
  GrpcCallRecord rec;
  rec.token = (next_callout_++) * 4 + 1;
  rec.root_id = root;
  rec.upstream = std::string(upstream);
  rec.service = std::string(service);
  rec.method = std::string(method);
  rec.initial_metadata = HeaderList::parse(metadata);
  rec.message = std::string(message);
  rec.timeout_ms = timeout_ms;
  token = rec.token;
  pending_grpc_.insert(rec.token);
  grpc_calls_.push_back(std::move(rec));
  return Status::Ok;
}

Status Host::hGrpcStream(std::string_view upstream, std::string_view service, std::string_view method,
                         std::string_view metadata, uint32_t& token) {
  const uint32_t root = rootOf(effective());
  if (!root) return Status::BadArgument;
  if (!clusterKnown(upstream)) return Status::ParseFailure;
  GrpcCallRecord rec;
  rec.token = (next_callout_++) * 4 + 2;
  rec.root_id = root;
  rec.stream = true;
  rec.upstream = std::string(upstream);
  rec.service = std::string(service);
  rec.method = std::string(method);
  rec.initial_metadata = HeaderList::parse(metadata);
  token = rec.token;
  pending_grpc_.insert(rec.token);
  grpc_calls_.push_back(std::move(rec));
  return Status::Ok;
}

Status Host::hGrpcSend(uint32_t token, std::string_view message, uint32_t end_stream) {
  if ((token & 3) != 2) return Status::BadArgument;
  GrpcCallRecord* c = grpcCall(token);
  if (!c || (!pending_grpc_.count(token) && !grpc_remote_closed_.count(token))) return Status::NotFound;
  c->sent.emplace_back(message);
  if (end_stream) c->local_closed = true;
  return Status::Ok;
}

Status Host::hGrpcCancel(uint32_t token) {
  if ((token & 3) != 1 && (token & 3) != 2) return Status::BadArgument;
  GrpcCallRecord* c = grpcCall(token);
  if (!c || (!pending_grpc_.erase(token) && !grpc_remote_closed_.erase(token))) return Status::NotFound;
  c->cancelled = true;  // no further events
  return Status::Ok;
}

Status Host::hGrpcClose(uint32_t token) {
  if ((token & 3) != 1 && (token & 3) != 2) return Status::BadArgument;
  GrpcCallRecord* c = grpcCall(token);
  if (c && grpc_remote_closed_.erase(token)) {
    c->local_closed = true;  // both ends closed: Envoy forgets the stream
    return Status::Ok;
  }
  if (!c || !pending_grpc_.count(token)) return Status::NotFound;
  if (c->stream) {
    c->local_closed = true;  // half-close: the remote may still answer
  } else {
    pending_grpc_.erase(token);
    c->cancelled = true;
  }
  return Status::Ok;
}

Status Host::hGetSharedData(std::string_view key, std::string& value, uint32_t& cas) {
  auto it = shared_data_.find(options_.vm_id + '\0' + std::string(key));
  const Status s = it == shared_data_.end() ? Status::NotFound : Status::Ok;
  if (s == Status::Ok) {
    value = it->second.first;
    cas = it->second.second;
  }
  // The test's hook (onSharedDataRead), after the read; never re-entered.
  if (shared_data_read_hook_ && !in_shared_data_read_hook_) {
    in_shared_data_read_hook_ = true;
    shared_data_read_hook_(key);
    in_shared_data_read_hook_ = false;
  }
  return s;
}

Status Host::hSetSharedData(std::string_view key, std::string_view value, uint32_t cas) {
  const std::string k = options_.vm_id + '\0' + std::string(key);
  auto it = shared_data_.find(k);
  if (it != shared_data_.end() && cas != 0 && cas != it->second.second) return Status::CasMismatch;
  uint32_t fresh = next_cas_++;
  if (next_cas_ == 0) next_cas_ = 1;
  shared_data_[k] = {std::string(value), fresh};
  return Status::Ok;
}

Status Host::hRegisterSharedQueue(std::string_view name, uint32_t& id) {
  const uint32_t root = rootOf(effective());
  for (auto& [qid, q] : queues_) {
    if (q.vm_id == options_.vm_id && q.name == name) {
      q.root = root;  // the last registrant is notified
      id = qid;
      return Status::Ok;
    }
  }
  id = next_queue_id_++;
  queues_[id] = Queue{options_.vm_id, std::string(name), root, {}};
  return Status::Ok;
}

Status Host::hResolveSharedQueue(std::string_view vm_id, std::string_view name, uint32_t& id) {
  auto found = queueId(name, vm_id);
  if (!found) return Status::NotFound;
  id = *found;
  return Status::Ok;
}

Status Host::hEnqueueSharedQueue(uint32_t id, std::string_view data) {
  auto it = queues_.find(id);
  if (it == queues_.end()) return Status::NotFound;
  it->second.items.emplace_back(data);
  const uint32_t root = it->second.root;
  // One asynchronous notification per enqueue, after the current VM call (or when the
  // test releases them: the receiver's thread may be busy while items pile up).
  auto notify = [this, root, id] {
    if (rootRecord(root)) call(Callback::QueueReady, root, {root, id});
  };
  if (hold_queue_notifications_) {
    held_notifications_.push_back(std::move(notify));
  } else {
    deferred_.push_back(std::move(notify));
  }
  return Status::Ok;
}

void Host::holdQueueNotifications(bool hold) {
  hold_queue_notifications_ = hold;
  if (hold) return;
  for (auto& n : held_notifications_) deferred_.push_back(std::move(n));
  held_notifications_.clear();
  runDeferred();
}

Status Host::hDequeueSharedQueue(uint32_t id, std::string& data) {
  auto it = queues_.find(id);
  if (it == queues_.end()) return Status::NotFound;
  if (it->second.items.empty()) return Status::Empty;
  data = std::move(it->second.items.front());
  it->second.items.pop_front();
  return Status::Ok;
}

Status Host::hDefineMetric(uint32_t type, std::string_view name, uint32_t& id) {
  if (type > kMaxMetricType) return Status::BadArgument;
  id = (next_metric_++) * 4 + type;  // the type lives in the low bits
  const std::string n(name);
  metric_ids_[id] = n;
  auto it = metrics_.find(n);
  if (it == metrics_.end()) metrics_[n] = Metric{MetricType(type), 0, {}};
  return Status::Ok;
}

Status Host::hIncrementMetric(uint32_t id, int64_t delta) {
  // Envoy checks the type bits first: a histogram (or type 3) id is BA even if unknown.
  if ((id & 3) != kMetricCounter && (id & 3) != kMetricGauge) return Status::BadArgument;
  auto it = metric_ids_.find(id);
  if (it == metric_ids_.end()) return Status::NotFound;
  Metric& m = metrics_[it->second];
  switch (id & 3) {
    case kMetricCounter:
      if (delta <= 0) return Status::BadArgument;
      m.value += delta;
      return Status::Ok;
    case kMetricGauge:
      m.value += delta;
      return Status::Ok;
    default:
      return Status::BadArgument;
  }
}

Status Host::hRecordMetric(uint32_t id, uint64_t value) {
  auto it = metric_ids_.find(id);
  if (it == metric_ids_.end()) return Status::NotFound;
  Metric& m = metrics_[it->second];
  switch (id & 3) {
    case kMetricCounter:
      m.value += int64_t(value);  // Envoy adds (the spec says "set")
      return Status::Ok;
    case kMetricGauge:
      m.value = int64_t(value);
      return Status::Ok;
    case kMetricHistogram:
      m.samples.push_back(value);
      return Status::Ok;
    default:
      return Status::BadArgument;
  }
}

Status Host::hGetMetric(uint32_t id, uint64_t& value) {
  // Envoy checks the type bits first: a histogram (or type 3) id is BA even if unknown.
  if ((id & 3) != kMetricCounter && (id & 3) != kMetricGauge) return Status::BadArgument;
  auto it = metric_ids_.find(id);
  if (it == metric_ids_.end()) return Status::NotFound;
  value = uint64_t(metrics_[it->second].value);
  return Status::Ok;
}

// Properties derived from the effective stream, as Envoy computes them.
std::optional<std::string> Host::streamProperty(std::string_view path) {
  const auto parts = splitPath(path);
  if (parts.empty()) return std::nullopt;
  const uint32_t root = rootOf(effective());
  if (RootRecord* r = rootRecord(root)) {
    if (parts.size() == 1 && parts[0] == "plugin_name") return r->plugin.name;
    if (parts.size() == 1 && parts[0] == "plugin_root_id") return r->plugin.root_id;
  }
  if (parts.size() == 1 && parts[0] == "plugin_vm_id") return options_.vm_id;
  // Connection attributes of the effective stream or connection (Envoy: its connection's
  // addresses; here the host's options, overridable per stream with setProperty).
  if (parts.size() == 2 && (parts[0] == "source" || parts[0] == "destination" || parts[0] == "connection")) {
    ContextRecord* rec = record(effective());
    if (rec && rec->kind != ContextRecord::Root) {
      if (parts[0] == "connection") {
        if (parts[1] == "id") return u64Bytes(rec->id);
        return std::nullopt;
      }
      const std::string& address = parts[0] == "source" ? options_.source_address : options_.destination_address;
      if (parts[1] == "address") return address;
      if (parts[1] == "port") {
        const size_t colon = address.rfind(':');
        if (colon == std::string::npos) return std::nullopt;
        uint64_t port = 0;
        for (char c : address.substr(colon + 1)) {
          if (c < '0' || c > '9') return std::nullopt;
          port = port * 10 + uint64_t(c - '0');
        }
        return u64Bytes(port);
      }
    }
    return std::nullopt;
  }
  HttpStream* s = effectiveHttp();
  if (!s) return std::nullopt;
  const HttpStream::Direction& rq = s->request_;
  const HttpStream::Direction& rs = s->response_;
  // Header-derived attributes read Envoy's current maps (or the access-log ones in on_log):
  // once a phase continued they are gone (envoyproxy/envoy#24194), like the maps.
  const bool rq_headers = s->in_log_ ? rq.has_headers : rq.headers_live;
  const bool rs_headers = s->in_log_ ? rs.has_headers : rs.headers_live;
  if (parts[0] == "request" && parts.size() >= 2 && rq.has_headers) {
    if (parts.size() == 2 && parts[1] == "size") return u64Bytes(rq.forwarded.size() + rq.buffer.size());
    if (!rq_headers) return std::nullopt;
    if (parts[1] == "headers") {
      if (parts.size() == 2) return rq.headers.serialize();
      if (parts.size() == 3) {
        auto v = rq.headers.get(parts[2]);
        if (v) return std::string(*v);
      }
      return std::nullopt;
    }
    if (parts.size() != 2) return std::nullopt;
    if (parts[1] == "path") return rq.headers.get(":path") ? std::optional<std::string>(std::string(*rq.headers.get(":path"))) : std::nullopt;
    if (parts[1] == "method") return rq.headers.get(":method") ? std::optional<std::string>(std::string(*rq.headers.get(":method"))) : std::nullopt;
    if (parts[1] == "host") return rq.headers.get(":authority") ? std::optional<std::string>(std::string(*rq.headers.get(":authority"))) : std::nullopt;
    if (parts[1] == "scheme") return rq.headers.get(":scheme") ? std::optional<std::string>(std::string(*rq.headers.get(":scheme"))) : std::nullopt;
    if (parts[1] == "id") return rq.headers.get("x-request-id") ? std::optional<std::string>(std::string(*rq.headers.get("x-request-id"))) : std::nullopt;
  }
  if (parts[0] == "response" && parts.size() >= 2) {
    if (parts[1] == "code" && parts.size() == 2) {
      uint64_t code = 0;
      if (s->local_response_) {
        code = s->local_response_->status;
      } else if (rs.has_headers) {
        auto v = rs.headers.get(":status");
        if (!v) return std::nullopt;
        for (char c : *v) {
          if (c < '0' || c > '9') return std::nullopt;
          code = code * 10 + uint64_t(c - '0');
        }
      } else {
        return std::nullopt;
      }
      return u64Bytes(code);
    }
    if (parts[1] == "headers" && rs_headers) {
      if (parts.size() == 2) return rs.headers.serialize();
      if (parts.size() == 3) {
        auto v = rs.headers.get(parts[2]);
        if (v) return std::string(*v);
      }
    }
  }
  return std::nullopt;
}

namespace {
// Top-level names Envoy resolves itself (CEL attributes and its own tokens); any other
// first segment is looked up in the filter state proxy_set_property writes.
bool envoyAttribute(std::string_view name) {
  static const char* const kNames[] = {
      "request", "response", "connection", "upstream", "source", "destination", "metadata", "filter_state",
      "upstream_filter_state", "node", "cluster_name", "cluster_metadata", "listener_direction",
      "listener_metadata", "route_name", "route_metadata", "upstream_host_metadata", "xds", "plugin_name",
      "plugin_root_id", "plugin_vm_id", "connection_id"};
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}
}  // namespace

Status Host::hGetProperty(std::string_view path, std::string& value) {
  const auto parts = splitPath(path);
  const std::string key = joinPath(parts);
  HttpStream* s = effectiveHttp();
  TcpConnection* c = effectiveTcp();
  // Per-stream values the test set (they stand for Envoy's attributes), then the values
  // Envoy derives from the stream, then proxy_set_property's filter state, then the host's.
  const std::map<std::string, std::string>* stream_props = s ? &s->properties_ : c ? &c->properties_ : nullptr;
  if (stream_props) {
    auto it = stream_props->find(key);
    if (it != stream_props->end()) {
      value = it->second;
      return Status::Ok;
    }
  }
  if (auto derived = streamProperty(key)) {
    value = std::move(*derived);
    return Status::Ok;
  }
  // Envoy's findValue looks the filter state up by the first segment only ("wasm.<name>"),
  // and a stored value is bytes, which further segments cannot index.
  const std::map<std::string, std::string>* state = s ? &s->filter_state_ : c ? &c->filter_state_ : nullptr;
  if (state && !parts.empty() && !envoyAttribute(parts[0])) {
    auto it = state->find(std::string(parts[0]));
    if (it != state->end()) {
      if (parts.size() != 1) return Status::NotFound;
      value = it->second;
      return Status::Ok;
    }
  }
  auto it = options_.properties.find(key);
  if (it != options_.properties.end()) {
    value = it->second;
    return Status::Ok;
  }
  return Status::NotFound;
}

Status Host::hSetProperty(std::string_view path, std::string_view value) {
  // Envoy stores the value under the path exactly as sent ("wasm." + path): a path with
  // several segments, or with a trailing NUL, is stored but cannot be read back.
  const std::string key(path);
  if (HttpStream* s = effectiveHttp()) {
    s->filter_state_[key] = std::string(value);
    return Status::Ok;
  }
  if (TcpConnection* c = effectiveTcp()) {
    c->filter_state_[key] = std::string(value);
    return Status::Ok;
  }
  return Status::NotFound;  // no stream (e.g. a root context)
}

}  // namespace proxy_wasm::host
