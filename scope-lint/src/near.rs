//! Near-duplicate search that never compares every pair.
//!
//! Two names are near-duplicates when they differ in exactly one segment other than the action,
//! and that segment is the same once folded (case, word separators, singular/plural) or one edit
//! apart (an inserted, missing, wrong or transposed character). Each name is indexed under one
//! key per (position, rest of the name, folded segment or one of its single-character deletions);
//! a query looks up the same keys for the proposal. Two strings within one edit share such a key
//! (the symmetric-deletion idea behind SymSpell), so the lookup finds every candidate, and each
//! candidate is then verified exactly. The cost per name is bounded by its length, not by the
//! catalog's size.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::name::ScopeName;
use crate::similarity::{edit_distance, fold};

/// Shortest folded segment for which a one-character edit counts: below it, one letter is the
/// difference between two real words (`cart`/`card`, `role`/`rule`).
const MIN_TYPO_LEN: usize = 5;

/// The index keys of a well-formed name: none for the action segment.
pub(crate) fn keys(name: &ScopeName<'_>) -> Vec<u64> {
    let n = name.segments.len();
    let lower: Vec<String> = name
        .segments
        .iter()
        .map(|s| s.text.to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    for position in 0..n.saturating_sub(1) {
        let skeleton = skeleton_hash(&lower, position);
        for form in [fold(&lower[position]), squash(&lower[position])] {
            out.push(key(skeleton, &form));
            if form.chars().count() >= MIN_TYPO_LEN - 1 {
                for (i, c) in form.char_indices() {
                    let mut deleted = String::with_capacity(form.len());
                    deleted.push_str(&form[..i]);
                    deleted.push_str(&form[i + c.len_utf8()..]);
                    out.push(key(skeleton, &deleted));
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Lower case without word separators: `Order_Items` → `orderitems`.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn skeleton_hash(lower: &[String], position: usize) -> u64 {
    let mut h = DefaultHasher::new();
    position.hash(&mut h);
    for (i, s) in lower.iter().enumerate() {
        if i != position {
            s.hash(&mut h);
        }
    }
    h.finish()
}

fn key(skeleton: u64, variant: &str) -> u64 {
    let mut h = DefaultHasher::new();
    skeleton.hash(&mut h);
    variant.hash(&mut h);
    h.finish()
}

/// How two near-duplicate names differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Likeness {
    /// Only in case or word separators (`e-commerce` / `ecommerce`).
    Separators,
    /// Singular against plural (`order` / `orders`).
    Plurality,
    /// One character inserted, missing, wrong or transposed (`ordres` / `orders`).
    Typo,
}

/// Whether `a` and `b` (of the same, valid shape) are near-duplicates, with the differing
/// segment's position and how they differ.
pub(crate) fn likeness(a: &ScopeName<'_>, b: &ScopeName<'_>) -> Option<(usize, Likeness)> {
    if a.segments.len() != b.segments.len() || a.segments.len() < 2 {
        return None;
    }
    let last = a.segments.len() - 1;
    let mut differing = a
        .segments
        .iter()
        .zip(&b.segments)
        .enumerate()
        .filter(|(_, (x, y))| !x.text.eq_ignore_ascii_case(y.text));
    let (position, (x, y)) = differing.next()?;
    if differing.next().is_some() || position == last {
        return None;
    }
    let (sx, sy) = (squash(x.text), squash(y.text));
    if sx == sy {
        return Some((position, Likeness::Separators));
    }
    let (fx, fy) = (fold(x.text), fold(y.text));
    if fx == fy {
        return Some((position, Likeness::Plurality));
    }
    // Lengths count in the singular, so `cards`/`carts` are as different as `card`/`cart`.
    let (lx, ly) = (fx.chars().count(), fy.chars().count());
    let has_digit = |s: &str| s.bytes().any(|b| b.is_ascii_digit());
    let long_enough = lx.min(ly) >= MIN_TYPO_LEN - 1 && lx.max(ly) >= MIN_TYPO_LEN;
    let typo = |a: &str, b: &str| edit_distance(a, b, 1) == Some(1);
    (long_enough && !has_digit(&sx) && !has_digit(&sy) && (typo(&fx, &fy) || typo(&sx, &sy)))
        .then_some((position, Likeness::Typo))
}

/// A built, read-only index: `(key, id)` pairs sorted by key, compact, with a table of where
/// each range of keys starts (by the key's top bits) so a lookup touches one short run instead of
/// binary-searching millions of entries.
#[derive(Debug, Default)]
pub(crate) struct NearIndex {
    entries: Vec<(u64, u32)>,
    /// `starts[b]..starts[b + 1]` holds the entries whose key's top `bits` bits are `b`.
    starts: Vec<u32>,
    bits: u32,
}

impl NearIndex {
    pub(crate) fn build(items: impl IntoIterator<Item = (u32, Vec<u64>)>) -> Self {
        let mut entries: Vec<(u64, u32)> = items
            .into_iter()
            .flat_map(|(id, keys)| keys.into_iter().map(move |k| (k, id)))
            .collect();
        entries.sort_unstable();
        entries.dedup();
        // About one bucket per two entries, between 2^4 and 2^24 buckets.
        let bits = (usize::BITS - entries.len().leading_zeros()).clamp(4, 24);
        let buckets = 1usize << bits;
        let mut starts = Vec::with_capacity(buckets + 1);
        let mut at = 0usize;
        for b in 0..buckets {
            while at < entries.len() && Self::bucket(entries[at].0, bits) < b {
                at += 1;
            }
            starts.push(u32::try_from(at).unwrap_or(u32::MAX));
        }
        starts.push(u32::try_from(entries.len()).unwrap_or(u32::MAX));
        Self {
            entries,
            starts,
            bits,
        }
    }

    fn bucket(key: u64, bits: u32) -> usize {
        usize::try_from(key >> (64 - bits)).unwrap_or(0)
    }

    /// Ids indexed under any of `keys`, each once, in ascending order.
    pub(crate) fn candidates(&self, keys: &[u64]) -> Vec<u32> {
        let mut out = Vec::new();
        if self.entries.is_empty() {
            return out;
        }
        for &k in keys {
            let b = Self::bucket(k, self.bits);
            let (Some(&lo), Some(&hi)) = (self.starts.get(b), self.starts.get(b + 1)) else {
                continue;
            };
            let run = self
                .entries
                .get(lo as usize..hi as usize)
                .unwrap_or_default();
            out.extend(run.iter().filter(|(e, _)| *e == k).map(|(_, id)| *id));
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: &str, b: &str) -> Option<Likeness> {
        let (a, b) = (ScopeName::parse(a, ":"), ScopeName::parse(b, ":"));
        let found = likeness(&a, &b).map(|(_, l)| l);
        if found.is_some() {
            // Whatever likeness finds, the index must find too.
            let index = NearIndex::build([(7, keys(&b))]);
            assert_eq!(
                index.candidates(&keys(&a)),
                [7],
                "index misses {} ~ {}",
                a.raw,
                b.raw
            );
        }
        found
    }

    #[test]
    fn the_issue_examples() {
        assert_eq!(
            near("ecommerce:order:read", "ecommerce:orders:read"),
            Some(Likeness::Plurality)
        );
        assert_eq!(
            near("e-commerce:orders:read", "ecommerce:orders:read"),
            Some(Likeness::Separators)
        );
        assert_eq!(
            near("ecommerce:ordres:read", "ecommerce:orders:read"),
            Some(Likeness::Typo)
        );
        assert_eq!(near("ecommerce:orders:read", "ecommerce:orders:read"), None);
    }

    #[test]
    fn one_character_edits() {
        assert_eq!(
            near("ecommerce:orderss:read", "ecommerce:orders:read"),
            Some(Likeness::Typo)
        );
        assert_eq!(
            near("ecommerce:ordrs:read", "ecommerce:orders:read"),
            Some(Likeness::Typo)
        );
        assert_eq!(
            near("ecommerce:orxers:read", "ecommerce:orders:read"),
            Some(Likeness::Typo)
        );
        assert_eq!(
            near("ecommerce:order_items:read", "ecommerce:order-items:read"),
            Some(Likeness::Separators)
        );
        assert_eq!(
            near("ecomerce:orders:read", "ecommerce:orders:read"),
            Some(Likeness::Typo)
        );
    }

    #[test]
    fn never_near() {
        assert_eq!(
            near("billing:invoices:read", "billing:invoices:write"),
            None
        );
        assert_eq!(
            near("identity:users:read", "identity:user-groups:read"),
            None
        );
        assert_eq!(near("shop:cart:read", "shop:card:read"), None);
        assert_eq!(near("shop:carts:read", "shop:cards:read"), None);
        assert_eq!(near("kb:notes:read", "kb:nodes:read"), None);
        assert_eq!(near("iam:roles:read", "iam:rules:read"), None);
        assert_eq!(near("api:v1:read", "api:v2:read"), None);
        assert_eq!(near("ecommerce:orders:read", "billing:orders:update"), None);
        assert_eq!(
            near("ecommerce:orders:read", "ecommerce:payments:read"),
            None
        );
    }
}
