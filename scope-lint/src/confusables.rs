//! Characters that look like ASCII letters or digits but are not (homoglyphs), such as the
//! Cyrillic `о` (U+043E) that passes for a Latin `o` in `orders`. A small, deliberate table of
//! the look-alikes that show up in practice: Cyrillic, Greek, and full-width forms.

/// The ASCII character `c` passes for, and the script it comes from.
pub(crate) fn ascii_lookalike(c: char) -> Option<(char, &'static str)> {
    let latin = match c {
        // Cyrillic lower case
        'а' => 'a',
        'е' => 'e',
        'һ' => 'h',
        'і' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'о' => 'o',
        'р' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'т' => 't',
        'ѵ' => 'v',
        'ԝ' => 'w',
        'х' => 'x',
        'у' => 'y',
        'ԁ' => 'd',
        'ӏ' => 'l',
        // Cyrillic upper case
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'с' => 'c',
        'Т' => 'T',
        'Х' => 'X',
        'У' => 'Y',
        'Ѕ' => 'S',
        'І' => 'I',
        'Ј' => 'J',
        _ => return greek(c).or_else(|| fullwidth(c)).or_else(|| other(c)),
    };
    Some((latin, "Cyrillic"))
}

fn greek(c: char) -> Option<(char, &'static str)> {
    let latin = match c {
        'α' => 'a',
        'ο' => 'o',
        'ρ' => 'p',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        _ => return None,
    };
    Some((latin, "Greek"))
}

fn fullwidth(c: char) -> Option<(char, &'static str)> {
    // U+FF01..=U+FF5E mirror ASCII U+0021..=U+007E.
    let code = u32::from(c);
    if (0xFF01..=0xFF5E).contains(&code) {
        return char::from_u32(code - 0xFF01 + 0x21).map(|a| (a, "full-width"));
    }
    None
}

fn other(c: char) -> Option<(char, &'static str)> {
    let latin = match c {
        'ı' => 'i',
        'ℓ' => 'l',
        'ⅰ' => 'i',
        'ⅴ' => 'v',
        'ⅹ' => 'x',
        '‐' | '‑' | '‒' | '–' | '—' | '−' => '-',
        '：' | '꞉' | '׃' => ':',
        _ => return None,
    };
    Some((latin, "look-alike"))
}

/// Format characters that render as nothing but change what a name is (zero-width spaces,
/// bidirectional overrides that can make text read differently from its bytes).
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Whether a character is whitespace, a control character or an invisible format character.
pub(crate) fn is_blank_or_control(c: char) -> bool {
    c.is_whitespace() || c.is_control() || is_invisible(c)
}

/// A readable name for a character in messages: `U+043E`, or the escape people know.
pub(crate) fn describe(c: char) -> String {
    match c {
        ' ' => "space (U+0020)".to_owned(),
        '\t' => "tab (U+0009)".to_owned(),
        '\n' => "line feed (U+000A)".to_owned(),
        '\r' => "carriage return (U+000D)".to_owned(),
        '\u{00A0}' => "no-break space (U+00A0)".to_owned(),
        '\u{200B}' => "zero-width space (U+200B)".to_owned(),
        '\u{200D}' => "zero-width joiner (U+200D)".to_owned(),
        '\u{FEFF}' => "byte-order mark (U+FEFF)".to_owned(),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
            format!("bidirectional control (U+{:04X})", u32::from(c))
        }
        _ if c.is_control() => format!("control character (U+{:04X})", u32::from(c)),
        _ => format!("U+{:04X}", u32::from(c)),
    }
}
