//! Terminal output: where text goes, how wide tables may be, whether a person is there to
//! answer prompts.

use std::io::{self, IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};

pub struct Ui {
    out: Box<dyn Write>,
    err: Box<dyn Write>,
    /// Standard input and output are a terminal and prompting was not turned off.
    pub interactive: bool,
    /// Standard output is a terminal.
    pub stdout_is_terminal: bool,
    width: Option<u16>,
}

impl Ui {
    pub fn stdio(no_input: bool) -> Ui {
        let stdout_is_terminal = io::stdout().is_terminal();
        Ui {
            out: Box::new(io::stdout().lock()),
            err: Box::new(io::stderr()),
            interactive: !no_input && stdout_is_terminal && io::stdin().is_terminal(),
            stdout_is_terminal,
            width: terminal_width(stdout_is_terminal),
        }
    }

    pub fn out(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    pub fn err(&mut self) -> &mut dyn Write {
        &mut self.err
    }

    /// A warning on standard error; output stays clean for pipes.
    pub fn warn(&mut self, message: &str) {
        let _ = writeln!(self.err, "warning: {message}");
    }

    /// A table that fits the terminal (or `COLUMNS`); unconstrained when piped.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table.load_style(presets::UTF8_FULL_CONDENSED);
        table.set_header(header.iter().copied());
        match self.width {
            Some(width) => {
                table.set_width(width);
                table.set_content_arrangement(ContentArrangement::Dynamic);
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        table
    }
}

fn terminal_width(stdout_is_terminal: bool) -> Option<u16> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
    {
        return Some(columns);
    }
    stdout_is_terminal.then(|| Table::new().width().filter(|w| *w > 20).unwrap_or(100))
}
