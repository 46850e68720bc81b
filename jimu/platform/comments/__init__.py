"""Comments on records (评论): who said what on a record, newest last."""
