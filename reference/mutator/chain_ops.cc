#include <algorithm>
#include <iterator>

#include "codec/samples.h"
#include "mutator/ops.h"

namespace mikey::mutator {

namespace {

using codec::Payload;

template <class Chains, class Payloads, class Container>
void collect(Payloads& payloads, Chains& out, Container* container);

// The containers of one payload (RFC 6043 §6.10: TP Data; TICKET: its TP Data, Initiator Data).
template <class Chains, class P>
void collect_nested(P& p, Chains& out) {
  if (auto* tp = p.template get<codec::TicketPolicy>())
    collect(tp->tp_data.payloads, out, &tp->tp_data);
  if (auto* t = p.template get<codec::Ticket>()) {
    collect(t->policy.tp_data.payloads, out, &t->policy.tp_data);
    collect(t->initiator_data.payloads, out, &t->initiator_data);
  }
}

template <class Chains, class Payloads, class Container>
void collect(Payloads& payloads, Chains& out, Container* container) {
  if constexpr (std::is_const_v<Payloads>) {
    out.push_back(&payloads);
  } else {
    out.push_back(ChainRef{&payloads, container});
  }
  for (auto& p : payloads) collect_nested(p, out);
}

std::ptrdiff_t at(std::size_t i) noexcept { return static_cast<std::ptrdiff_t>(i); }

void insert(ChainRef c, std::size_t pos, const Payload& p) {
  c.payloads->insert(c.payloads->begin() + at(pos), p);
  if (c.container != nullptr) c.container->present = true;
}

}  // namespace

std::vector<ChainRef> chains_of(codec::Message& m) {
  std::vector<ChainRef> out;
  collect(m.payloads, out, static_cast<codec::Chain*>(nullptr));
  return out;
}

std::vector<const std::vector<Payload>*> chains_of(const codec::Message& m) {
  std::vector<const std::vector<Payload>*> out;
  collect(m.payloads, out, static_cast<const codec::Chain*>(nullptr));
  return out;
}

const std::vector<Payload>& sample_pool() {
  static const std::vector<Payload> pool = [] {
    std::vector<Payload> out;
    for (const codec::NamedMessage& s : codec::sample_messages())
      for (const auto* chain : chains_of(s.message))
        out.insert(out.end(), chain->begin(), chain->end());
    return out;
  }();
  return pool;
}

bool mutate_chain(codec::Message& m, Rng& rng) {
  std::vector<ChainRef> chains = chains_of(m);
  // The top level half of the time: most of a message's logic hangs off it.
  const ChainRef c = rng.one_in(2) ? chains.front() : chains[rng.below(chains.size())];
  std::vector<Payload>& ps = *c.payloads;
  const std::vector<Payload>& pool = sample_pool();
  const std::size_t n = ps.size();
  switch (n == 0 ? 0 : rng.below(5)) {
    case 0:  // insert a sample payload
      insert(c, rng.below(n + 1), pool[rng.below(pool.size())]);
      return true;
    case 1:  // delete
      ps.erase(ps.begin() + at(rng.below(n)));
      return true;
    case 2:  // duplicate
      insert(c, rng.below(n + 1), Payload(ps[rng.below(n)]));
      return true;
    case 3: {  // move (a swap when adjacent)
      const std::size_t from = rng.below(n);
      const std::size_t to = rng.below(n);
      if (from == to) return false;
      Payload p = std::move(ps[from]);
      ps.erase(ps.begin() + at(from));
      ps.insert(ps.begin() + at(to), std::move(p));
      return true;
    }
    default:  // replace by a sample payload
      ps[rng.below(n)] = pool[rng.below(pool.size())];
      return true;
  }
}

bool mutate_header(codec::Message& m, Rng& rng) {
  codec::Hdr& h = m.hdr;
  switch (rng.below(4)) {
    case 0: {  // another MIKEY-TICKET data type (RFC 6043 §6.1), or any
      const auto t = rng.one_in(4) ? rng.below(256) : 11 + rng.below(11);
      h.data_type = static_cast<codec::DataType>(t);
      return true;
    }
    case 1:
      h.v = !h.v;
      return true;
    case 2:
      h.prf_func = static_cast<codec::PrfFunc>(
          rng.one_in(2) ? std::size_t{codec::raw(h.prf_func) ^ 1u} : rng.below(128));
      return true;
    default: {
      const std::uint32_t ids[] = {0, 1, 0xffffffff, h.csb_id + 1,
                                   static_cast<std::uint32_t>(rng.next())};
      h.csb_id = rng.pick(ids);
      return true;
    }
  }
}

bool splice(codec::Message& a, const codec::Message& b, Rng& rng) {
  std::vector<ChainRef> into = chains_of(a);
  const auto from = chains_of(b);
  const std::vector<Payload>& src = *from[rng.below(from.size())];
  if (src.empty()) return false;
  const std::size_t first = rng.below(src.size());
  const std::size_t count = 1 + rng.below(std::min<std::size_t>(src.size() - first, 3));
  const ChainRef c = rng.one_in(2) ? into.front() : into[rng.below(into.size())];
  std::vector<Payload>& ps = *c.payloads;
  const std::size_t pos = rng.below(ps.size() + 1);
  // Replace as many payloads as are spliced in half of the time, else insert.
  if (rng.one_in(2))
    ps.erase(ps.begin() + at(pos), ps.begin() + at(std::min(ps.size(), pos + count)));
  ps.insert(ps.begin() + at(pos), src.begin() + at(first), src.begin() + at(first + count));
  if (c.container != nullptr) c.container->present = true;
  return true;
}

}  // namespace mikey::mutator
