//! AWS policy wildcards, as bucket policies use them: `*` matches any run of characters (none
//! included), `?` exactly one; every other character stands for itself.

/// Whether `pattern` matches all of `value`; `ignore_case` folds case (as AWS does for actions).
pub fn glob_matches(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let fold = |text: &str| -> Vec<char> {
        if ignore_case {
            text.to_lowercase().chars().collect()
        } else {
            text.chars().collect()
        }
    };
    let (pattern, value) = (fold(pattern), fold(value));
    let (mut p, mut v) = (0, 0);
    // Where the last `*` was, and where in `value` its run currently ends.
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, v));
                p += 1;
            }
            Some(&c) if c == '?' || c == value[v] => {
                p += 1;
                v += 1;
            }
            _ => match star {
                Some((star_at, run_end)) => {
                    p = star_at + 1;
                    v = run_end + 1;
                    star = Some((star_at, run_end + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn star_matches_any_run_and_question_mark_one_character() {
        assert!(glob_matches("*", "", false));
        assert!(glob_matches("s3:*", "s3:GetObject", false));
        assert!(glob_matches("s3:*Object", "s3:GetObject", false));
        assert!(glob_matches("a*b*c", "a-x-b-y-b-c", false));
        assert!(!glob_matches("a*b*c", "a-x-b-y-c-d", false));
        assert!(glob_matches("data/?.bin", "data/a.bin", false));
        assert!(!glob_matches("data/?.bin", "data/ab.bin", false));
        assert!(!glob_matches("data/?.bin", "data/.bin", false));
        assert!(glob_matches("exact", "exact", false));
        assert!(!glob_matches("exact", "exactly", false));
    }

    #[test]
    fn case_folds_only_when_asked() {
        assert!(glob_matches("S3:getobject", "s3:GetObject", true));
        assert!(!glob_matches("S3:getobject", "s3:GetObject", false));
    }
}
