//! Terminal output and input: where text goes, how wide tables may be, whether a person is
//! there to answer prompts, and the prompts themselves.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, IsTerminal, Write};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use comfy_table::{ContentArrangement, presets};
use console::{Key, Term};
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Editor, Input, Select};

use crate::controls::{Escaping, cell, escape};

/// Everything written to standard output and error goes through [`Escaping`]: text from a
/// record or a commit never reaches the terminal with a control character in it.
pub struct Ui {
    out: Box<dyn Write>,
    err: Box<dyn Write>,
    prompter: Box<dyn Prompter>,
    /// Standard input, output and error are a terminal and prompting was not turned off.
    pub interactive: bool,
    /// Standard output is a terminal.
    pub stdout_is_terminal: bool,
    width: Option<u16>,
    /// Long output may go through a pager (`--no-pager` says no).
    may_page: bool,
    /// The pager that output goes through, once started.
    pager: Option<Child>,
}

impl Ui {
    pub fn stdio(no_input: bool, no_pager: bool) -> Ui {
        let stdout_is_terminal = io::stdout().is_terminal();
        Ui {
            out: Box::new(Escaping::new(io::stdout().lock())),
            err: Box::new(Escaping::new(io::stderr())),
            prompter: Box::new(TerminalPrompter::default()),
            // Prompts are drawn on standard error, so it must be the terminal too.
            interactive: !no_input
                && stdout_is_terminal
                && io::stdin().is_terminal()
                && io::stderr().is_terminal(),
            stdout_is_terminal,
            width: terminal_width(stdout_is_terminal),
            may_page: !no_pager,
            pager: None,
        }
    }

    /// A person who answers from a script: output, error output and every prompt with its
    /// answer go to one transcript, in the order a terminal would show them.
    pub fn scripted(answers: impl IntoIterator<Item = Answer>) -> (Ui, Transcript) {
        let transcript = Transcript::default();
        let ui = Ui {
            out: Box::new(Escaping::new(transcript.clone())),
            err: Box::new(Escaping::new(transcript.clone())),
            prompter: Box::new(ScriptedPrompter {
                answers: answers.into_iter().collect(),
                transcript: transcript.clone(),
            }),
            interactive: true,
            stdout_is_terminal: false,
            width: None,
            may_page: false,
            pager: None,
        };
        (ui, transcript)
    }

    pub fn out(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    pub fn err(&mut self) -> &mut dyn Write {
        &mut self.err
    }

    /// The prompter, once everything written so far is on the screen above the prompt.
    pub fn prompt(&mut self) -> io::Result<&mut dyn Prompter> {
        self.out.flush()?;
        self.err.flush()?;
        Ok(self.prompter.as_mut())
    }

    /// Sends the output that follows through a pager, as git does: `$PAGER`, else
    /// `less -FRX` (which quits at once when the text fits the screen). Only when output is
    /// a terminal, never when it is piped; `--no-pager`, an empty `PAGER` or `PAGER=cat`
    /// write straight to the terminal, and so does a pager that cannot be started.
    pub fn page(&mut self) {
        if !self.stdout_is_terminal || !self.may_page || self.pager.is_some() {
            return;
        }
        let command = std::env::var("PAGER").unwrap_or_else(|_| "less -FRX".into());
        if matches!(command.trim(), "" | "cat") {
            return;
        }
        // Through the shell, as git runs it, so that PAGER may carry options.
        let spawned = Command::new("sh")
            .args(["-c", &command])
            .stdin(Stdio::piped())
            .spawn();
        if let Ok(mut child) = spawned
            && let Some(stdin) = child.stdin.take()
        {
            let _ = self.out.flush();
            self.out = Box::new(stdin);
            self.pager = Some(child);
        }
    }

    /// The terminal's (or `COLUMNS`') width; `None` when output goes to a pipe.
    pub fn width(&self) -> Option<u16> {
        self.width
    }

    /// A warning on standard error; output stays clean for pipes.
    pub fn warn(&mut self, message: &str) {
        let _ = writeln!(self.err, "warning: {message}");
    }

    /// A table that fits the terminal (or `COLUMNS`); unconstrained when piped.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = comfy_table::Table::new();
        table.load_style(presets::UTF8_FULL_CONDENSED);
        table.set_header(header.iter().map(|name| cell(name)));
        match self.width {
            Some(width) => {
                table.set_width(width);
                table.set_content_arrangement(ContentArrangement::Dynamic);
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        Table { table }
    }

    /// A listing with these column names: see `Listing`.
    pub fn listing(&self, header: &[&str]) -> Listing {
        let mut table = comfy_table::Table::new();
        table.load_style(presets::NOTHING);
        table.set_header(header.iter().map(|name| cell(name)));
        match self.width {
            Some(width) => {
                table.set_width(width);
                table.set_content_arrangement(ContentArrangement::Dynamic);
                table.set_truncation_indicator("…");
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        // Ids, states and counts are never squeezed: only the last column gives way.
        for index in 0..header.len().saturating_sub(1) {
            if let Some(column) = table.column_mut(index) {
                column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
            }
        }
        Listing { table }
    }
}

impl Drop for Ui {
    /// Waits for the pager, if output went through one, so the prompt comes back after it.
    fn drop(&mut self) {
        if let Some(mut pager) = self.pager.take() {
            let _ = self.out.flush();
            // Closing its input tells the pager the text is complete.
            self.out = Box::new(io::sink());
            let _ = pager.wait();
        }
    }
}

/// A table with borders, its cells escaped before it measures them (see [`cell`]): the
/// escaping of everything printed would otherwise widen a cell after its column was laid out.
pub struct Table {
    table: comfy_table::Table,
}

impl Table {
    /// `cells`: one per column; a cell may hold several lines.
    pub fn add_row(&mut self, cells: Vec<String>) {
        self.table.add_row(cells.iter().map(|c| cell(c)));
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.table.fmt(f)
    }
}

/// A listing, one line a row whatever the width: borderless columns, the last one (the
/// long text) cut with an ellipsis to fit the terminal; whole, and unpadded, when piped.
/// Its cells are escaped before it measures them, as a [`Table`]'s are.
pub struct Listing {
    table: comfy_table::Table,
}

impl Listing {
    /// `cells`: one per column; newlines and runs of spaces are flattened so a row stays a line.
    pub fn add_row(&mut self, cells: Vec<String>) {
        let cells: Vec<String> = cells
            .iter()
            .map(|c| cell(c).split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        let mut row = comfy_table::Row::from(cells);
        row.max_height(1);
        self.table.add_row(row);
    }
}

impl std::fmt::Display for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self
            .table
            .lines()
            .map(|line| line.trim_end().to_string())
            .collect();
        f.write_str(&lines.join("\n"))
    }
}

fn terminal_width(stdout_is_terminal: bool) -> Option<u16> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
    {
        return Some(columns);
    }
    stdout_is_terminal.then(|| {
        comfy_table::Table::new()
            .width()
            .filter(|w| *w > 20)
            .unwrap_or(100)
    })
}

/// The questions an interactive command asks. Every method fails with
/// `io::ErrorKind::Interrupted` when the person presses Ctrl-C.
pub trait Prompter {
    /// One key press, answered without Enter (like `git add -p` with `interactive.singleKey`).
    fn key(&mut self, prompt: &str) -> io::Result<char>;
    /// The index of one of `items`; `None` when the person backs out with Esc or q.
    fn select(&mut self, prompt: &str, items: &[String]) -> io::Result<Option<usize>>;
    /// A line of text, trimmed; Enter alone gives `default`, or "" when there is none.
    fn input(&mut self, prompt: &str, default: Option<&str>) -> io::Result<String>;
    /// Yes or no; there is no default, so a stray Enter never answers.
    fn confirm(&mut self, prompt: &str) -> io::Result<bool>;
    /// `text` as the person left it in their editor; `None` when they did not save.
    fn edit(&mut self, text: &str) -> io::Result<Option<String>>;
}

/// Set while the terminal prompter waits for a key, and left set when Ctrl-C ends the wait:
/// a signal that arrives then is answered by the prompt's caller, which is already on its way
/// out with `Interrupted`.
static AWAITING_ANSWER: AtomicBool = AtomicBool::new(false);

/// Whether a terminal prompt is waiting for the person, or was interrupted while it was.
pub fn awaiting_answer() -> bool {
    AWAITING_ANSWER.load(Ordering::SeqCst)
}

/// Prompts on the terminal (standard error), drawn by dialoguer.
pub struct TerminalPrompter {
    term: Term,
    theme: ColorfulTheme,
}

impl Default for TerminalPrompter {
    fn default() -> Self {
        TerminalPrompter {
            term: Term::stderr(),
            theme: ColorfulTheme::default(),
        }
    }
}

/// Runs one terminal prompt, keeping `AWAITING_ANSWER` up to date.
fn answer<T>(prompt: impl FnOnce() -> dialoguer::Result<T>) -> io::Result<T> {
    AWAITING_ANSWER.store(true, Ordering::SeqCst);
    let answer = prompt().map_err(io::Error::from);
    if !matches!(&answer, Err(e) if e.kind() == io::ErrorKind::Interrupted) {
        AWAITING_ANSWER.store(false, Ordering::SeqCst);
    }
    answer
}

impl Prompter for TerminalPrompter {
    fn key(&mut self, prompt: &str) -> io::Result<char> {
        self.term.write_str(&format!("{} ", escape(prompt)))?;
        let key = answer(|| {
            loop {
                if let Key::Char(key) = self.term.read_key()? {
                    return Ok(key);
                }
            }
        })?;
        self.term.write_line(&key.to_string())?;
        Ok(key)
    }

    fn select(&mut self, prompt: &str, items: &[String]) -> io::Result<Option<usize>> {
        answer(|| {
            Select::with_theme(&self.theme)
                .with_prompt(escape(prompt))
                .items(items.iter().map(|item| escape(item)))
                .default(0)
                .interact_on_opt(&self.term)
        })
    }

    fn input(&mut self, prompt: &str, default: Option<&str>) -> io::Result<String> {
        let mut input = Input::<String>::with_theme(&self.theme)
            .with_prompt(escape(prompt))
            .allow_empty(true);
        if let Some(default) = default {
            input = input.default(escape(default).into_owned());
        }
        answer(|| input.interact_text_on(&self.term)).map(|text| text.trim().to_string())
    }

    fn confirm(&mut self, prompt: &str) -> io::Result<bool> {
        answer(|| {
            Confirm::with_theme(&self.theme)
                .with_prompt(escape(prompt))
                .interact_on(&self.term)
        })
    }

    fn edit(&mut self, text: &str) -> io::Result<Option<String>> {
        // The editor owns the terminal meanwhile: this process is not reading from it.
        Ok(Editor::new().extension(".toml").edit(text)?)
    }
}

/// One scripted answer, for the prompt it is the answer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A key press, for `key`.
    Key(char),
    /// The item that starts with this text, for `select`.
    Pick(String),
    /// Typed text, for `input`; the saved file, for `edit`.
    Text(String),
    /// Enter alone, for `input`: the default.
    Enter,
    Yes,
    No,
    /// Esc at a `select`, or quitting the editor without saving.
    Cancel,
    /// Ctrl-C, at any prompt.
    Interrupt,
}

impl Answer {
    pub fn pick(item: &str) -> Answer {
        Answer::Pick(item.to_string())
    }

    pub fn text(text: &str) -> Answer {
        Answer::Text(text.to_string())
    }
}

/// Everything a scripted session showed, prompts and answers included.
#[derive(Debug, Clone, Default)]
pub struct Transcript(Rc<RefCell<Vec<u8>>>);

impl Transcript {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Transcript {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Answers prompts from a queue, for tests. A prompt the script did not expect, or one
/// asked after the script ran out, is an error that names the prompt.
pub struct ScriptedPrompter {
    answers: VecDeque<Answer>,
    transcript: Transcript,
}

impl ScriptedPrompter {
    /// The next answer, written into the transcript after its prompt.
    fn next(&mut self, kind: &str, prompt: &str, items: &[String]) -> io::Result<Answer> {
        let mut shown = format!("? {prompt}");
        for item in items {
            shown.push_str(&format!("\n    {item}"));
        }
        let answer = self.answers.pop_front().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the script has no answer for the {kind} prompt \"{prompt}\""),
            )
        })?;
        writeln!(self.transcript, "{shown}\n  > {answer:?}")?;
        match answer {
            Answer::Interrupt => Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "read interrupted",
            )),
            answer => Ok(answer),
        }
    }
}

fn unexpected<T>(kind: &str, prompt: &str, answer: &Answer) -> io::Result<T> {
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("the script answered {answer:?} to the {kind} prompt \"{prompt}\""),
    ))
}

impl Prompter for ScriptedPrompter {
    fn key(&mut self, prompt: &str) -> io::Result<char> {
        match self.next("key", prompt, &[])? {
            Answer::Key(key) => Ok(key),
            other => unexpected("key", prompt, &other),
        }
    }

    fn select(&mut self, prompt: &str, items: &[String]) -> io::Result<Option<usize>> {
        match self.next("select", prompt, items)? {
            Answer::Pick(pick) => items
                .iter()
                .position(|item| item.starts_with(&pick))
                .map(Some)
                .ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("the script picked '{pick}', which is not among {items:?}"),
                    )
                }),
            Answer::Cancel => Ok(None),
            other => unexpected("select", prompt, &other),
        }
    }

    fn input(&mut self, prompt: &str, default: Option<&str>) -> io::Result<String> {
        let shown = match default {
            Some(default) => format!("{prompt} [{default}]"),
            None => prompt.to_string(),
        };
        match self.next("input", &shown, &[])? {
            Answer::Text(text) => Ok(text.trim().to_string()),
            Answer::Enter => Ok(default.unwrap_or_default().to_string()),
            other => unexpected("input", prompt, &other),
        }
    }

    fn confirm(&mut self, prompt: &str) -> io::Result<bool> {
        match self.next("confirm", prompt, &[])? {
            Answer::Yes => Ok(true),
            Answer::No => Ok(false),
            other => unexpected("confirm", prompt, &other),
        }
    }

    fn edit(&mut self, text: &str) -> io::Result<Option<String>> {
        writeln!(self.transcript, "--- editor ---\n{text}\n--------------")?;
        match self.next("edit", "(editor)", &[])? {
            Answer::Text(text) => Ok(Some(text)),
            Answer::Cancel => Ok(None),
            other => unexpected("edit", "(editor)", &other),
        }
    }
}
