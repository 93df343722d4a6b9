#!/bin/sh
# glowline's tmux plugin (TPM: `set -g @plugin 'OWNER/glowline'` in ~/.tmux.conf, then prefix + I; or by hand:
# `run-shell /path/to/glowline/glowline.tmux` after the status lines are set).
#
# Turns #{glowline} and #{glowline_live} in status-left and status-right into the line, as tmux-cpu does:
#   #{glowline}       the sparkline and total:  #(glowline --format tmux ARGS)
#   #{glowline_live}  the live power alone:      #(glowline --format tmux --live --template {live} ARGS)
# Options (set them before the plugin runs):
#   @glowline_command  the glowline to run (default: glowline; an absolute path when tmux's PATH lacks it)
#   @glowline_args     extra options for both, e.g. "--days 7 --short" (default: none; the config file applies)
#   @glowline_live_args  extra options for #{glowline_live} only
# tmux runs #() every status-interval seconds; glowline prints from its cache and refreshes in the background.

option() {
	value=$(tmux show-option -gqv "$1")
	if [ -n "$value" ]; then printf '%s' "$value"; else printf '%s' "$2"; fi
}

command=$(option @glowline_command glowline)
args=$(option @glowline_args "")
live_args=$(option @glowline_live_args "")
line="#($command --format tmux${args:+ $args})"
live="#($command --format tmux --live --template {live}${args:+ $args}${live_args:+ $live_args})"

# every $2 in $1 replaced by $3 (literal text: no pattern characters, no sed)
replace() {
	rest=$1
	out=""
	while :; do
		case $rest in
		*"$2"*)
			out="$out${rest%%"$2"*}$3"
			rest=${rest#*"$2"}
			;;
		*)
			break
			;;
		esac
	done
	printf '%s' "$out$rest"
}

for name in status-left status-right; do
	value=$(tmux show-option -gqv "$name")
	case $value in
	*"#{glowline"*)
		value=$(replace "$value" "#{glowline}" "$line")
		value=$(replace "$value" "#{glowline_live}" "$live")
		tmux set-option -gq "$name" "$value"
		;;
	esac
done
