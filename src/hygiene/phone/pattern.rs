//! A matcher for the small regular-expression language of libphonenumber's metadata, in place
//! of a general regex engine in the wasm (BENCHMARKS.md, issue 20: the engine was most of the
//! phone code's bytes). The metadata's patterns use digits, `\d`, classes, groups (capturing
//! only in `national_prefix_for_parsing`), alternation, `?`, `{n}`, `{n,m}` and the anchors
//! `^`/`$`; the parser's own patterns (extensions, the shape of a number) add `*`, `+` and
//! non-digit characters. That is all this reads: anything else is a pattern error, which the
//! tests over every pattern of the plans would show.
//!
//! Semantics are the leftmost-first ones of Perl and of the `regex` crate (the first
//! alternative that leads to a match wins, quantifiers are greedy), so captures agree with
//! libphonenumber's. Matching is a backtracking machine over compiled instructions, bounded by
//! a visited set of (instruction, position), so its time is linear in the input.

/// A set of characters one instruction accepts.
#[derive(Debug, Clone)]
enum Set {
    /// `\d`: any Unicode decimal digit, as the `regex` crate reads it.
    Digit,
    /// A literal or a class: inclusive ranges.
    Ranges(Vec<(char, char)>),
}

impl Set {
    fn contains(&self, c: char) -> bool {
        match self {
            Set::Digit => super::digit_value(c).is_some(),
            Set::Ranges(ranges) => ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi),
        }
    }
}

#[derive(Debug, Clone)]
enum Node {
    Set(Set),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    /// A group; `Some(i)` for the i-th capturing one (from 1).
    Group(Box<Node>, Option<usize>),
    Repeat(Box<Node>, u32, Option<u32>),
    Start,
    End,
}

#[derive(Debug, Clone)]
enum Inst {
    Char(Set),
    /// Try the first target, then the second.
    Split(usize, usize),
    Jmp(usize),
    Save(usize),
    Start,
    End,
    Match,
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    prog: Vec<Inst>,
    groups: usize,
}

/// A match: the end of the matched prefix and each group's span, in characters.
pub struct Captures {
    pub end: usize,
    slots: Vec<Option<usize>>,
}

impl Captures {
    /// Group `i`'s (from 1) span in characters, if it took part in the match.
    pub fn group(&self, i: usize) -> Option<(usize, usize)> {
        Some((self.slots.get(2 * i).copied()??, self.slots.get(2 * i + 1).copied()??))
    }
}

impl Pattern {
    /// Compiles `source`; `Err` names what was not understood.
    pub fn new(source: &str) -> Result<Pattern, String> {
        let chars: Vec<char> = source.chars().collect();
        let mut parser = Parser { chars: &chars, at: 0, groups: 0 };
        let node = parser.alt()?;
        if parser.at != chars.len() {
            return Err(format!("unexpected {:?} at {}", chars[parser.at], parser.at));
        }
        let mut prog = Vec::new();
        compile(&node, &mut prog);
        prog.push(Inst::Match);
        Ok(Pattern { prog, groups: parser.groups })
    }

    /// Whether the whole of `input` matches (the pattern brings its own anchors, or none).
    pub fn is_full_match(&self, input: &[char]) -> bool {
        self.run(input, true).is_some()
    }

    /// The leftmost-first match starting at the beginning of `input` (libphonenumber's
    /// "looking at"), with its captures.
    pub fn prefix(&self, input: &[char]) -> Option<Captures> {
        self.run(input, false)
    }

    fn run(&self, input: &[char], whole: bool) -> Option<Captures> {
        let width = input.len() + 1;
        let mut visited = vec![0u64; (self.prog.len() * width).div_ceil(64)];
        let mut slots: Vec<Option<usize>> = vec![None; 2 * (self.groups + 1)];
        // A job is a thread to try, or a capture slot to restore when backtracking past it.
        enum Job {
            Try(usize, usize),
            Restore(usize, Option<usize>),
        }
        let mut stack = vec![Job::Try(0, 0)];
        while let Some(job) = stack.pop() {
            let (mut pc, mut at) = match job {
                Job::Try(pc, at) => (pc, at),
                Job::Restore(slot, value) => {
                    slots[slot] = value;
                    continue;
                }
            };
            loop {
                let key = pc * width + at;
                if visited[key / 64] & (1 << (key % 64)) != 0 {
                    break;
                }
                visited[key / 64] |= 1 << (key % 64);
                match &self.prog[pc] {
                    Inst::Char(set) => {
                        if at < input.len() && set.contains(input[at]) {
                            pc += 1;
                            at += 1;
                        } else {
                            break;
                        }
                    }
                    Inst::Split(first, second) => {
                        stack.push(Job::Try(*second, at));
                        pc = *first;
                    }
                    Inst::Jmp(to) => pc = *to,
                    Inst::Save(slot) => {
                        stack.push(Job::Restore(*slot, slots[*slot]));
                        slots[*slot] = Some(at);
                        pc += 1;
                    }
                    Inst::Start if at == 0 => pc += 1,
                    Inst::End if at == input.len() => pc += 1,
                    Inst::Start | Inst::End => break,
                    Inst::Match => {
                        if whole && at != input.len() {
                            break;
                        }
                        return Some(Captures { end: at, slots });
                    }
                }
            }
        }
        None
    }
}

fn compile(node: &Node, prog: &mut Vec<Inst>) {
    match node {
        Node::Set(set) => prog.push(Inst::Char(set.clone())),
        Node::Concat(nodes) => nodes.iter().for_each(|n| compile(n, prog)),
        Node::Alt(alternatives) => {
            let mut jumps = Vec::new();
            for (i, alternative) in alternatives.iter().enumerate() {
                if i + 1 < alternatives.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile(alternative, prog);
                    jumps.push(prog.len());
                    prog.push(Inst::Jmp(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    compile(alternative, prog);
                }
            }
            let end = prog.len();
            for jump in jumps {
                prog[jump] = Inst::Jmp(end);
            }
        }
        Node::Group(inner, None) => compile(inner, prog),
        Node::Group(inner, Some(i)) => {
            prog.push(Inst::Save(2 * i));
            compile(inner, prog);
            prog.push(Inst::Save(2 * i + 1));
        }
        Node::Repeat(inner, min, max) => {
            for _ in 0..*min {
                compile(inner, prog);
            }
            match max {
                Some(max) => {
                    // Each optional copy may be skipped, which skips the rest too.
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(prog.len());
                        prog.push(Inst::Split(prog.len() + 1, 0));
                        compile(inner, prog);
                    }
                    let end = prog.len();
                    for split in splits {
                        prog[split] = Inst::Split(split + 1, end);
                    }
                }
                None => {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile(inner, prog);
                    prog.push(Inst::Jmp(split));
                    let end = prog.len();
                    prog[split] = Inst::Split(split + 1, end);
                }
            }
        }
        Node::Start => prog.push(Inst::Start),
        Node::End => prog.push(Inst::End),
    }
}

struct Parser<'a> {
    chars: &'a [char],
    at: usize,
    groups: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        self.at += usize::from(found);
        found
    }

    fn alt(&mut self) -> Result<Node, String> {
        let mut alternatives = vec![self.concat()?];
        while self.eat('|') {
            alternatives.push(self.concat()?);
        }
        Ok(if alternatives.len() == 1 { alternatives.pop().unwrap() } else { Node::Alt(alternatives) })
    }

    fn concat(&mut self) -> Result<Node, String> {
        let mut nodes = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            nodes.push(self.quantified(atom)?);
        }
        Ok(Node::Concat(nodes))
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, String> {
        let (min, max) = match self.peek() {
            Some('?') => (0, Some(1)),
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('{') => {
                self.at += 1;
                let min = self.number()?;
                let max = if self.eat(',') {
                    if self.peek() == Some('}') { None } else { Some(self.number()?) }
                } else {
                    Some(min)
                };
                if self.peek() != Some('}') {
                    return Err(format!("unclosed repetition at {}", self.at));
                }
                (min, max)
            }
            _ => return Ok(atom),
        };
        self.at += 1;
        Ok(Node::Repeat(Box::new(atom), min, max))
    }

    fn number(&mut self) -> Result<u32, String> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let text: String = self.chars[start..self.at].iter().collect();
        text.parse().map_err(|_| format!("a number expected at {start}"))
    }

    fn atom(&mut self) -> Result<Node, String> {
        let c = self.peek().ok_or("unexpected end")?;
        self.at += 1;
        Ok(match c {
            '(' => {
                let capture = if self.eat('?') {
                    if !self.eat(':') {
                        return Err(format!("unsupported group at {}", self.at));
                    }
                    None
                } else {
                    self.groups += 1;
                    Some(self.groups)
                };
                let inner = self.alt()?;
                if !self.eat(')') {
                    return Err(format!("unclosed group at {}", self.at));
                }
                Node::Group(Box::new(inner), capture)
            }
            '[' => self.class()?,
            '^' => Node::Start,
            '$' => Node::End,
            '\\' => match self.escaped()? {
                None => Node::Set(Set::Digit),
                Some(c) => Node::Set(Set::Ranges(vec![(c, c)])),
            },
            '.' | '*' | '+' | '?' | '{' | ')' => return Err(format!("unsupported {c:?} at {}", self.at - 1)),
            c => Node::Set(Set::Ranges(vec![(c, c)])),
        })
    }

    /// After a backslash: `None` for `\d`, else the character meant.
    fn escaped(&mut self) -> Result<Option<char>, String> {
        let c = self.peek().ok_or("a dangling backslash")?;
        self.at += 1;
        Ok(match c {
            'd' => None,
            't' => Some('\t'),
            c if c.is_ascii_alphanumeric() => return Err(format!("unsupported escape \\{c}")),
            c => Some(c),
        })
    }

    fn class(&mut self) -> Result<Node, String> {
        let mut ranges = Vec::new();
        let mut digits = false;
        while !self.eat(']') {
            let c = self.peek().ok_or("unclosed class")?;
            self.at += 1;
            let lo = if c == '\\' {
                match self.escaped()? {
                    None => {
                        digits = true;
                        continue;
                    }
                    Some(c) => c,
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&c| c != ']') {
                self.at += 1;
                let mut hi = self.peek().ok_or("unclosed class")?;
                self.at += 1;
                if hi == '\\' {
                    hi = self.escaped()?.ok_or("a range to \\d")?;
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(match (digits, ranges.is_empty()) {
            (true, true) => Node::Set(Set::Digit),
            (false, _) => Node::Set(Set::Ranges(ranges)),
            (true, false) => Node::Alt(vec![Node::Set(Set::Digit), Node::Set(Set::Ranges(ranges))]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn full_matches_follow_the_metadata_patterns() {
        // Andorra's fixed lines: two digits and four, or one of [2-467] and four.
        let p = Pattern::new(r"^(?:(?:[01589]\d|[2-467])\d{4})$").unwrap();
        assert!(p.is_full_match(&chars("001234")));
        assert!(p.is_full_match(&chars("31234")));
        assert!(!p.is_full_match(&chars("81234")));
        assert!(!p.is_full_match(&chars("212345")));
        assert!(!p.is_full_match(&chars("3123")));
        let p = Pattern::new(r"^(?:800\d{2,9})$").unwrap();
        assert!(p.is_full_match(&chars("80012")));
        assert!(p.is_full_match(&chars("800123456789")));
        assert!(!p.is_full_match(&chars("8001234567890")));
        assert!(!p.is_full_match(&chars("8001")));
    }

    #[test]
    fn a_prefix_match_is_leftmost_first_with_its_captures() {
        // Antigua's national prefix for parsing: seven local digits, or a trunk 1.
        let p = Pattern::new(r"^(?:([457]\d{6})$|1)").unwrap();
        let m = p.prefix(&chars("4621234")).unwrap();
        assert_eq!((m.end, m.group(1)), (7, Some((0, 7))));
        let m = p.prefix(&chars("12684621234")).unwrap();
        assert_eq!((m.end, m.group(1)), (1, None));
        assert!(p.prefix(&chars("2684621234")).is_none());
        // Greedy optional groups: the longer carrier code wins when it fits.
        let p = Pattern::new(r"^(?:0(1\d)?)").unwrap();
        let m = p.prefix(&chars("01234")).unwrap();
        assert_eq!((m.end, m.group(1)), (3, Some((1, 3))));
    }

    #[test]
    fn unsupported_syntax_is_an_error_not_a_wrong_answer() {
        assert!(Pattern::new(r"a.b").is_err());
        assert!(Pattern::new(r"(?i)x").is_err());
        assert!(Pattern::new(r"\w").is_err());
        assert!(Pattern::new(r"(12").is_err());
    }
}
