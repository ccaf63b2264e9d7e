"""What the app, the command line and the MCP server share, without Textual: the
open file and its one write path (tasksfile), the app's state and rules (session),
loading, the outline the tree shows, the workspace overview and the history."""
