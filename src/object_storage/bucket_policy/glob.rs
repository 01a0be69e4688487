//! Glob patterns of bucket policies: `*` matches any run of characters (none too), `?` exactly
//! one; everything else itself.

/// Whether to compare letters ignoring ASCII case (actions) or exactly (resources, principals,
/// condition values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// `s3:getobject` matches `s3:GetObject`.
    Insensitive,
    /// Exact.
    Sensitive,
}

/// Whether `pattern` matches all of `text`.
pub fn glob_match(pattern: &str, text: &str, case: Case) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let same = |a: char, b: char| match case {
        Case::Insensitive => a.eq_ignore_ascii_case(&b),
        Case::Sensitive => a == b,
    };
    let (mut pi, mut ti) = (0, 0);
    // The last `*` seen and the text position it was tried at, to widen it on a mismatch.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || same(p[pi], t[ti])) {
            pi += 1;
            ti += 1;
        } else if let Some((star_at, tried)) = star {
            pi = star_at + 1;
            ti = tried + 1;
            star = Some((star_at, tried + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_and_question_mark_one_character() {
        let yes = [
            ("*", ""),
            ("*", "anything"),
            ("data/*", "data/a/b.bin"),
            ("data/*.bin", "data/x/y.bin"),
            ("a?c", "abc"),
            ("*a*b*", "xxaxxbxx"),
            ("s3:Get*", "s3:GetObject"),
        ];
        for (p, t) in yes {
            assert!(glob_match(p, t, Case::Sensitive), "{p} should match {t}");
        }
        let no = [
            ("a?c", "ac"),
            ("a?c", "abbc"),
            ("data/*", "data"),
            ("data/*.bin", "data/x.txt"),
            ("abc", "abcd"),
            ("*a*b", "xxbxxa"),
        ];
        for (p, t) in no {
            assert!(
                !glob_match(p, t, Case::Sensitive),
                "{p} should not match {t}"
            );
        }
    }

    #[test]
    fn case_folds_only_when_asked() {
        assert!(glob_match("s3:get*", "s3:GetObject", Case::Insensitive));
        assert!(!glob_match("s3:get*", "s3:GetObject", Case::Sensitive));
        assert!(!glob_match("Data/*", "data/a", Case::Sensitive));
    }
}
