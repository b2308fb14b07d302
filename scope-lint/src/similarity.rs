//! Text helpers for comparing names: folding to a canonical form, singular and plural, and a
//! bounded edit distance.

/// Lowercase, without word separators, singular: `Order-Items` and `order_item` both fold to
/// `orderitem`, `e-commerce` to `ecommerce`.
pub(crate) fn fold(segment: &str) -> String {
    let squashed: String = segment
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    singular(&squashed).into_owned()
}

/// Irregular plurals and their singulars.
const IRREGULAR: [(&str, &str); 10] = [
    ("children", "child"),
    ("people", "person"),
    ("men", "man"),
    ("women", "woman"),
    ("mice", "mouse"),
    ("geese", "goose"),
    ("feet", "foot"),
    ("teeth", "tooth"),
    ("indices", "index"),
    ("matrices", "matrix"),
];

/// The singular of an English plural noun (`orders` → `order`, `categories` → `category`,
/// `addresses` → `address`, `children` → `child`); anything else unchanged.
pub(crate) fn singular(word: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if let Some((_, one)) = IRREGULAR.iter().find(|(many, _)| *many == word) {
        return Cow::Borrowed(one);
    }
    if word.len() > 4
        && let Some(stem) = word.strip_suffix("ies")
    {
        return Cow::Owned(format!("{stem}y"));
    }
    for suffix in ["sses", "shes", "ches", "xes", "zes"] {
        if word.len() > suffix.len() + 1 && word.ends_with(suffix) {
            return Cow::Borrowed(&word[..word.len() - 2]);
        }
    }
    if word.len() > 2
        && word.ends_with('s')
        && !(word.ends_with("ss") || word.ends_with("us") || word.ends_with("is"))
    {
        return Cow::Borrowed(&word[..word.len() - 1]);
    }
    Cow::Borrowed(word)
}

/// The plural of an English noun, for suggestions.
pub(crate) fn plural(word: &str) -> String {
    if let Some((many, _)) = IRREGULAR.iter().find(|(_, one)| *one == word) {
        return (*many).to_owned();
    }
    let vowel_before_y = word.len() >= 2
        && word.ends_with('y')
        && matches!(
            word.as_bytes()[word.len() - 2],
            b'a' | b'e' | b'i' | b'o' | b'u'
        );
    if word.ends_with('y') && !vowel_before_y && word.len() > 1 {
        format!("{}ies", &word[..word.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|s| word.ends_with(s))
    {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

/// Whether `word` reads as a plural noun.
pub(crate) fn is_plural(word: &str) -> bool {
    singular(word) != word
}

/// Optimal-string-alignment distance (insertions, deletions, substitutions and adjacent
/// transpositions), or `None` when it exceeds `max`. Work is bounded by `max` per character.
pub(crate) fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let big = max + 1;
    let mut prev2 = vec![big; width];
    let mut prev: Vec<usize> = (0..width).map(|j| j.min(big)).collect();
    let mut cur = vec![big; width];
    for i in 1..=a.len() {
        cur.fill(big);
        cur[0] = i.min(big);
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(b.len());
        let mut row_min = cur[0];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d.min(big);
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// The candidate closest to `word` within `max` edits, if exactly one is closest.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    let mut tie = false;
    for c in candidates {
        if let Some(d) = edit_distance(word, c, max) {
            match best {
                Some((bd, _)) if d > bd => {}
                Some((bd, _)) if d == bd => tie = true,
                _ => {
                    best = Some((d, c));
                    tie = false;
                }
            }
        }
    }
    if tie { None } else { best.map(|(_, c)| c) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("orders"), "order");
        assert_eq!(fold("Order"), "order");
        assert_eq!(fold("e-commerce"), "ecommerce");
        assert_eq!(fold("order_items"), "orderitem");
        assert_eq!(fold("categories"), "category");
        assert_eq!(fold("addresses"), "address");
        assert_eq!(fold("status"), "status");
        assert_eq!(fold("analysis"), "analysis");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural("invoice"), "invoices");
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("key"), "keys");
        assert_eq!(plural("address"), "addresses");
        assert!(is_plural("orders"));
        assert!(!is_plural("order"));
        assert!(!is_plural("status"));
        assert!(is_plural("children"));
        assert_eq!(plural("person"), "people");
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("orders", "ordres", 2), Some(1));
        assert_eq!(edit_distance("orders", "order", 2), Some(1));
        assert_eq!(edit_distance("read", "write", 1), None);
        assert_eq!(edit_distance("", "ab", 2), Some(2));
        assert_eq!(edit_distance("abc", "abc", 0), Some(0));
        assert_eq!(edit_distance("kitten", "sitting", 3), Some(3));
        assert_eq!(edit_distance("kitten", "sitting", 2), None);
    }

    #[test]
    fn closest_refuses_ties() {
        assert_eq!(closest("raed", ["read", "write"], 2), Some("read"));
        assert_eq!(closest("bat", ["cat", "hat"], 1), None);
    }
}
