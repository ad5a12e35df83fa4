//! Substring tests for the page's short texts (a path, a field label, a user agent). Why not
//! `str::contains`: with a `&str` pattern it brings core's two-way searcher, ~2.7 KB of the
//! wasm every shop page loads (BENCHMARKS.md, issue 20), to scan texts of a few dozen bytes.

/// Whether `needle` occurs in `haystack` (an empty needle always does, as `str::contains`).
pub fn contains(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    needle.is_empty() || haystack.as_bytes().windows(needle.len()).any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::contains;

    #[test]
    fn answers_as_str_contains() {
        for (haystack, needle) in [("/checkouts/c1", "/checkout"), ("/cart", "/cart"), ("/car", "/cart"), ("", ""), ("a", ""), ("", "a"), ("Mozilla Mobile", "Mobi"), ("coupon code", "coupon"), ("日本のcart", "cart"), ("aaab", "aab")] {
            assert_eq!(contains(haystack, needle), haystack.contains(needle), "{haystack:?} {needle:?}");
        }
    }
}
