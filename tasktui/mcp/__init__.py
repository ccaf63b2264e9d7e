"""The MCP server (``tasktui mcp``): the tasks files below a folder served to coding
agents. It needs the optional ``mcp`` package (``pip install 'tasktui[mcp]'``), so
nothing imports it but that command."""
