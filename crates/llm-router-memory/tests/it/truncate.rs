//! Cutting text never splits a multi-byte character.

use llm_router_memory::{Keep, truncate_text, truncate_to_tokens};
use llm_router_tokens::{CharEstimate, TiktokenCounter, TokenCounter as _};

const MIXED: &str = "héllo 😀 世界 🇳🇴 e\u{301} ok";

#[test]
fn truncate_text_cuts_at_char_boundaries_for_every_length() {
    for max in 0..=MIXED.len() + 1 {
        for keep in [Keep::Start, Keep::End] {
            let cut = truncate_text(MIXED, max, keep);
            assert!(cut.len() <= max, "{max} {keep:?}");
            match keep {
                Keep::Start => assert!(MIXED.starts_with(cut)),
                Keep::End => assert!(MIXED.ends_with(cut)),
                _ => unreachable!(),
            }
            // At most one character (4 bytes) shorter than asked.
            assert!(
                cut.len() + 4 > max.min(MIXED.len()),
                "{max} {keep:?} {cut:?}"
            );
        }
    }
}

#[test]
fn truncate_to_tokens_keeps_the_longest_piece_that_fits() {
    let tik = TiktokenCounter::default();
    let text = "日本語のテキスト😀".repeat(30);
    for max in [0, 1, 5, 17, 60, 1000] {
        for keep in [Keep::Start, Keep::End] {
            let est = truncate_to_tokens(&text, max, keep, &CharEstimate);
            assert!(CharEstimate.count_text(est) <= max);
            assert!(text.is_char_boundary(text.len() - est.len()) || keep == Keep::Start);
            let t = truncate_to_tokens(&text, max, keep, &tik);
            assert!(tik.count_text(t) <= max);
            if max >= 1000 {
                assert_eq!(t, text);
            }
        }
    }
    // The character estimate is a quarter of the characters: 17 tokens = 68 characters.
    assert_eq!(
        truncate_to_tokens(&text, 17, Keep::Start, &CharEstimate)
            .chars()
            .count(),
        68
    );
}
